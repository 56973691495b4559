"""Who may do what with cooperation records: named predicates used by views, API, templates and
selectors.

- Agreements and joint programmes marked public are for everyone to read; the rest, and every
  change to them, are for the district officers of the complex.
- Expertise (researchers, labs, equipment): a public profile only with the holder's consent;
  signed-in members of organisations (companies, universities, agencies, centres) see every
  entry of their complex so that matching works for them; officers edit and import.
- The support-programme catalogue is public; officers edit, import and export it.
- A company's needs, its matches and its pipeline (engagements, outcomes) are its private data:
  its own members and the officers see them; its managers and officers change them.
"""

from __future__ import annotations

from techvalley.core.scoping import Viewer


def is_officer(viewer: Viewer, complex) -> bool:
    return viewer.is_officer_of(complex.pk if hasattr(complex, "pk") else complex)


def can_manage_cooperation(viewer: Viewer, complex) -> bool:
    """Record agreements, follow-ups, joint programmes, expertise and the catalogue."""
    return is_officer(viewer, complex)


def can_view_agreement(viewer: Viewer, agreement) -> bool:
    return agreement.is_public or is_officer(viewer, agreement.complex_id)


def can_view_programme(viewer: Viewer, programme) -> bool:
    return programme.is_public or is_officer(viewer, programme.complex_id)


def can_see_all_expertise(viewer: Viewer, complex) -> bool:
    """Entries without a public profile: members of the complex's organisations and its officers
    (an organisation of another complex does not count)."""
    cid = complex.pk if hasattr(complex, "pk") else complex
    if is_officer(viewer, cid):
        return True
    if not viewer.org_ids:
        return False
    from techvalley.core.models import Organisation

    return Organisation.objects.filter(pk__in=viewer.org_ids, complex_id=cid).exists()


def can_view_expert(viewer: Viewer, expert) -> bool:
    return (
        expert.public_consent
        or can_see_all_expertise(viewer, expert.complex_id)
        or (viewer.is_authenticated and expert.account_id == viewer.user_id)
    )


def can_import_experts(viewer: Viewer, complex) -> bool:
    """The expertise file is imported by the district officers of the complex."""
    return is_officer(viewer, complex)


def liaison_org_ids(viewer: Viewer) -> frozenset[int]:
    """Organisations whose members may act for their researchers (a university's 산학협력단, an
    institute or agency)."""
    return viewer.orgs_of_kind("university") | viewer.orgs_of_kind("agency")


def expert_organisation_id(expert) -> int | None:
    """The platform organisation the expert belongs to: its partner's, else the organisation of
    the complex with the expert's ``org`` as its name."""
    if expert.partner_id and expert.partner.organisation_id:
        return expert.partner.organisation_id
    if not expert.org:
        return None
    from techvalley.core.models import Organisation

    return (
        Organisation.objects.filter(complex_id=expert.complex_id, name=expert.org).values_list("id", flat=True).first()
    )


def consent_role(viewer: Viewer, expert) -> str | None:
    """How the viewer may switch the expert's public profile: "self" (the expert's own sign-in),
    "behalf" (the liaison office of the expert's organisation, or an officer of the complex: they
    must record how the consent was obtained), or None."""
    if not viewer.is_authenticated:
        return None
    if expert.account_id is not None and expert.account_id == viewer.user_id:
        return "self"
    if is_officer(viewer, expert.complex_id):
        return "behalf"
    liaison = liaison_org_ids(viewer)
    if liaison and expert_organisation_id(expert) in liaison:
        return "behalf"
    return None


def can_view_company_cooperation(viewer: Viewer, company) -> bool:
    """The company's needs, matches, recommended programmes and pipeline."""
    return viewer.can_see_private(company.organisation_id, company.complex_id)


def can_manage_company_cooperation(viewer: Viewer, company) -> bool:
    """Enter or change the company's needs and move its pipeline: its managers and officers."""
    return viewer.can_manage(company.organisation_id, company.complex_id)


def can_enter_needs(viewer: Viewer, company) -> bool:
    """Members may write their company's needs too (the person who knows the problem)."""
    return viewer.is_authenticated and can_view_company_cooperation(viewer, company)


def own_company(viewer: Viewer, complex=None):
    """The company a company user works for (its organisation's registry entry), or None."""
    if not viewer.company_org_ids:
        return None
    from techvalley.registry.models import Company

    qs = Company.objects.filter(organisation_id__in=viewer.company_org_ids)
    if complex is not None:
        qs = qs.filter(complex=complex)
    return qs.order_by("id").first()


def can_open_needs(viewer: Viewer) -> bool:
    """The "Needs" menu: officers of the complex the page is about (every company's needs; core
    sets ``is_officer_here`` for the menus), company users with a registry entry (their own)."""
    officer_here = getattr(viewer, "is_officer_here", viewer.is_officer)
    return bool(officer_here) or own_company(viewer) is not None


def can_open_needs_in(viewer: Viewer, complex) -> bool:
    """The needs of this complex: its officers (all), its companies' people (their own)."""
    return is_officer(viewer, complex) or own_company(viewer, complex) is not None


def can_open_cooperation(viewer: Viewer) -> bool:
    """The "Cooperation" menu (agreements, programmes, catalogue, expertise) is for everyone."""
    return True
