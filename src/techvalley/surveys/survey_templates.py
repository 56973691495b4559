"""Survey templates: questionnaires an officer starts from (``techvalley survey create SLUG --template demand``).

``demand`` is the innovation-plan demand survey (혁신계획 수립을 위한 기업체 수요조사) the plan
card records for 2023-06~07: the questions such surveys of an old industrial complex ask —
the company's situation, its difficulties, the support it wants, the shared facilities it
would use, training, energy, and whether it would take part in the projects that follow.
Choice codes are short ASCII words so that imports and exports stay readable.
"""

from __future__ import annotations


def c(value: str, ko: str, en: str) -> dict:
    return {"value": value, "ko": ko, "en": en}


YES_NO = [c("yes", "예", "Yes"), c("no", "아니오", "No")]
INTEREST = [
    c("1", "전혀 관심 없음", "Not at all interested"),
    c("2", "관심 없음", "Not interested"),
    c("3", "보통", "Neutral"),
    c("4", "관심 있음", "Interested"),
    c("5", "매우 관심 있음", "Very interested"),
]

DEMAND = {
    "key": "demand",
    "title_ko": "혁신계획 수립을 위한 기업체 수요조사",
    "title_en": "Demand survey for the innovation plan",
    "description_ko": (
        "신평·장림산업단지 혁신계획에 담을 사업을 찾기 위해 입주기업의 어려움과 필요한 지원을 묻습니다. "
        "응답은 계획 수립에만 쓰이며 개별 기업의 응답은 공개되지 않습니다. 약 10분 걸립니다."
    ),
    "description_en": (
        "To find the projects the complex's innovation plan should hold, we ask the companies what holds "
        "them back and what support they need. Answers serve the plan only; no company's answers are "
        "published. About 10 minutes."
    ),
    "sections": [
        {
            "title_ko": "1. 기업 현황",
            "title_en": "1. Your company",
            "questions": [
                {
                    "code": "main_business",
                    "type": "single",
                    "label_ko": "주력 사업 분야는 무엇입니까?",
                    "label_en": "What is your main line of business?",
                    "required": True,
                    "choices": [
                        c("metal", "금속가공·표면처리", "Metal working, surface treatment"),
                        c("machinery", "기계·장비", "Machinery and equipment"),
                        c("auto", "자동차·조선 부품", "Automotive and ship parts"),
                        c("electric", "전기·전자", "Electrical and electronic"),
                        c("food", "수산·식품 가공", "Seafood and food processing"),
                        c("other", "기타", "Other"),
                    ],
                },
                {
                    "code": "employees",
                    "type": "number",
                    "label_ko": "상시 근로자 수 (명)",
                    "label_en": "Regular employees",
                    "required": True,
                    "config": {"min": 0, "max": 100000, "integer": True},
                },
                {
                    "code": "revenue_trend",
                    "type": "single",
                    "label_ko": "최근 3년 매출 추세는 어떻습니까?",
                    "label_en": "How did your revenue develop over the last three years?",
                    "choices": [
                        c("up", "증가", "Grew"),
                        c("flat", "비슷함", "About the same"),
                        c("down", "감소", "Fell"),
                    ],
                },
            ],
        },
        {
            "title_ko": "2. 경영상 어려움",
            "title_en": "2. Difficulties",
            "questions": [
                {
                    "code": "difficulties",
                    "type": "multiple",
                    "label_ko": "경영상 가장 큰 어려움을 골라 주세요 (최대 3개)",
                    "label_en": "Your main difficulties (up to three)",
                    "required": True,
                    "config": {"max_choices": 3},
                    "choices": [
                        c("workforce", "인력 확보", "Finding workers"),
                        c("energy_cost", "에너지 비용", "Energy costs"),
                        c("funding", "자금 조달", "Funding"),
                        c("technology", "기술 경쟁력", "Technology"),
                        c("sales", "판로 개척", "Sales channels"),
                        c("space", "공장 공간·노후 시설", "Space, old buildings"),
                        c("environment", "환경 규제", "Environmental rules"),
                        c("infrastructure", "교통·주차 등 기반시설", "Roads, parking, infrastructure"),
                    ],
                },
                {
                    "code": "difficulty_detail",
                    "type": "long_text",
                    "label_ko": "어려움을 구체적으로 적어 주세요",
                    "label_en": "Describe your difficulties",
                },
                {
                    "code": "infrastructure_rating",
                    "type": "matrix",
                    "label_ko": "산업단지 기반시설 만족도",
                    "label_en": "How satisfied are you with the complex's infrastructure?",
                    "rows": [
                        c("roads", "도로", "Roads"),
                        c("parking", "주차", "Parking"),
                        c("transit", "대중교통", "Public transport"),
                        c("amenities", "편의·복지시설", "Amenities"),
                    ],
                    "choices": [
                        c("1", "매우 불만", "Very dissatisfied"),
                        c("2", "불만", "Dissatisfied"),
                        c("3", "보통", "Neutral"),
                        c("4", "만족", "Satisfied"),
                        c("5", "매우 만족", "Very satisfied"),
                    ],
                },
            ],
        },
        {
            "title_ko": "3. 필요한 지원",
            "title_en": "3. Support you need",
            "questions": [
                {
                    "code": "support_priority",
                    "type": "ranking",
                    "label_ko": "필요한 지원을 중요한 순서대로 3개 골라 주세요",
                    "label_en": "Rank the three kinds of support you need most",
                    "config": {"rank_count": 3},
                    "choices": [
                        c("smart_factory", "스마트공장 구축", "Smart factory"),
                        c("rnd", "연구개발(R&D)", "R&D"),
                        c("training", "인력 양성·교육", "Training"),
                        c("energy", "에너지 효율·탄소중립", "Energy efficiency, net zero"),
                        c("marketing", "판로·수출", "Sales, exports"),
                        c("finance", "금융·자금", "Finance"),
                        c("facilities", "공동 시설·장비", "Shared facilities, equipment"),
                    ],
                },
                {
                    "code": "smart_factory_stage",
                    "type": "single",
                    "label_ko": "스마트공장 도입 단계는?",
                    "label_en": "Where are you with a smart factory?",
                    "condition": {"question": "support_priority", "op": "contains", "value": "smart_factory"},
                    "choices": [
                        c("none", "도입 안 함", "None"),
                        c("planning", "도입 검토 중", "Considering"),
                        c("basic", "기초 수준 도입", "Basic level"),
                        c("advanced", "고도화 단계", "Advanced"),
                    ],
                },
                {
                    "code": "support_detail",
                    "type": "long_text",
                    "label_ko": "구청·지원기관에 바라는 지원사업을 자유롭게 적어 주세요",
                    "label_en": "What support programmes would you like from the district and agencies?",
                },
            ],
        },
        {
            "title_ko": "4. 공동 시설",
            "title_en": "4. Shared facilities",
            "questions": [
                {
                    "code": "facilities_wanted",
                    "type": "multiple",
                    "label_ko": "이용하고 싶은 공동 시설을 모두 골라 주세요",
                    "label_en": "Which shared facilities would you use?",
                    "choices": [
                        c("testing", "시험·인증 장비", "Testing and certification equipment"),
                        c("meeting", "회의실·교육장", "Meeting and training rooms"),
                        c("prototype", "시제품 제작실", "Prototyping workshop"),
                        c("logistics", "공동 물류창고", "Shared warehouse"),
                        c("childcare", "어린이집", "Childcare"),
                        c("canteen", "공동 식당", "Canteen"),
                        c("dormitory", "기숙사", "Dormitory"),
                    ],
                },
            ],
        },
        {
            "title_ko": "5. 교육",
            "title_en": "5. Training",
            "questions": [
                {
                    "code": "training_needed",
                    "type": "single",
                    "label_ko": "직원 교육이 필요합니까?",
                    "label_en": "Do your employees need training?",
                    "required": True,
                    "choices": YES_NO,
                },
                {
                    "code": "training_topics",
                    "type": "multiple",
                    "label_ko": "필요한 교육 분야",
                    "label_en": "Which training topics?",
                    "condition": {"question": "training_needed", "op": "equals", "value": "yes"},
                    "choices": [
                        c("automation", "자동화·로봇", "Automation, robots"),
                        c("data", "데이터·AI", "Data, AI"),
                        c("safety", "산업안전", "Industrial safety"),
                        c("quality", "품질관리", "Quality control"),
                        c("energy", "에너지 관리", "Energy management"),
                        c("management", "경영·회계", "Management, accounting"),
                    ],
                },
                {
                    "code": "training_hours",
                    "type": "number",
                    "label_ko": "직원 1인당 연간 교육 가능 시간",
                    "label_en": "Hours of training per employee a year you could allow",
                    "condition": {"question": "training_needed", "op": "equals", "value": "yes"},
                    "config": {"min": 0, "max": 2000},
                },
            ],
        },
        {
            "title_ko": "6. 에너지",
            "title_en": "6. Energy",
            "questions": [
                {
                    "code": "energy_cost_share",
                    "type": "number",
                    "label_ko": "매출 대비 에너지 비용 비율 (%)",
                    "label_en": "Energy costs as a share of revenue (%)",
                    "config": {"min": 0, "max": 100},
                },
                {
                    "code": "energy_interest",
                    "type": "multiple",
                    "label_ko": "관심 있는 에너지 사업",
                    "label_en": "Energy measures you are interested in",
                    "choices": [
                        c("solar", "지붕 태양광", "Rooftop solar"),
                        c("fems", "에너지관리시스템(FEMS)", "Energy management system (FEMS)"),
                        c("efficiency", "고효율 설비 교체", "Efficient equipment"),
                        c("heat", "폐열 회수", "Waste-heat recovery"),
                        c("none", "없음", "None"),
                    ],
                },
                {
                    "code": "energy_detail",
                    "type": "long_text",
                    "label_ko": "에너지 관련 애로사항이 있으면 적어 주세요",
                    "label_en": "Energy problems you face",
                },
            ],
        },
        {
            "title_ko": "7. 참여 의향",
            "title_en": "7. Taking part",
            "questions": [
                {
                    "code": "participation",
                    "type": "scale",
                    "label_ko": "혁신계획 사업에 참여할 의향은 어느 정도입니까?",
                    "label_en": "How willing are you to take part in the plan's projects?",
                    "required": True,
                    "config": {"min": 1, "max": 5},
                    "choices": INTEREST,
                },
                {
                    "code": "cost_share",
                    "type": "single",
                    "label_ko": "사업비 일부(자부담)를 낼 의향이 있습니까?",
                    "label_en": "Would you pay part of a project's cost?",
                    "condition": {"question": "participation", "op": "gte", "value": 4},
                    "choices": [
                        c("none", "없음", "No"),
                        c("up_to_10", "10% 이하", "Up to 10%"),
                        c("up_to_30", "10~30%", "10–30%"),
                        c("over_30", "30% 초과", "More than 30%"),
                    ],
                },
                {
                    "code": "contact_ok",
                    "type": "single",
                    "label_ko": "후속 사업 안내를 받으시겠습니까?",
                    "label_en": "May we contact you about follow-up projects?",
                    "choices": YES_NO,
                },
                {
                    "code": "attachment",
                    "type": "file",
                    "label_ko": "참고 자료 (선택, 10 MB 이하)",
                    "label_en": "Supporting document (optional, at most 10 MB)",
                },
            ],
        },
    ],
}

BLANK = {
    "key": "blank",
    "title_ko": "새 설문",
    "title_en": "New survey",
    "description_ko": "",
    "description_en": "",
    "sections": [{"title_ko": "1.", "title_en": "1.", "questions": []}],
}

SATISFACTION = {
    "key": "satisfaction",
    "title_ko": "설명회·보고회 만족도 조사",
    "title_en": "Briefing satisfaction survey",
    "description_ko": "오늘 설명회에 대한 의견을 들려주세요.",
    "description_en": "Tell us what you thought of today's briefing.",
    "sections": [
        {
            "title_ko": "만족도",
            "title_en": "Satisfaction",
            "questions": [
                {
                    "code": "overall",
                    "type": "scale",
                    "label_ko": "전반적으로 만족하십니까?",
                    "label_en": "Overall, how satisfied are you?",
                    "required": True,
                    "config": {"min": 1, "max": 5},
                },
                {
                    "code": "useful",
                    "type": "single",
                    "label_ko": "내용이 도움이 되었습니까?",
                    "label_en": "Was it useful?",
                    "choices": YES_NO,
                },
                {
                    "code": "comments",
                    "type": "long_text",
                    "label_ko": "바라는 점",
                    "label_en": "Suggestions",
                },
            ],
        }
    ],
}

TEMPLATES = {t["key"]: t for t in (DEMAND, SATISFACTION, BLANK)}
