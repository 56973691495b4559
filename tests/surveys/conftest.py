import pytest

from techvalley.surveys import services
from techvalley.surveys.models import SurveyStatus


@pytest.fixture
def demand(world):
    """The demand survey from its template, open, with companies A and B invited."""
    world["a"].brn = "1234567891"
    world["a"].ksic_code = "25911"
    world["a"].size_class = "small"
    world["a"].legal_dong = "장림동"
    world["a"].save()
    world["b"].ksic_code = "29120"
    world["b"].legal_dong = "신평동"
    world["b"].save()
    survey = services.create_survey(world["cx"], "demand-2023", template="demand")
    services.set_status(survey, SurveyStatus.OPEN)
    services.invite_companies(survey)
    return survey


#: A complete, valid answer to the demand template's required questions.
VALID = {
    "main_business": "metal",
    "employees": "25",
    "difficulties": ["energy_cost", "workforce"],
    "training_needed": "yes",
    "training_topics": ["automation"],
    "participation": "4",
    "cost_share": "up_to_10",
    "difficulty_detail": "전기요금 부담이 큽니다",
}
