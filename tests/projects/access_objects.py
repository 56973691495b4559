"""Plan records for the access-table test (``tests/access.py``).

Plan records belong to a complex: side "a" is a record of the test's complex (its officers
are the test's officers), side "b" a record of another complex — so the table's
"own:officer" means "an officer of the record's own complex".
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from techvalley.projects import services
from tests.factories import ComplexFactory
from tests.projects.factories import ProgressReportFactory, ProjectFactory


def build(world) -> dict:
    other = ComplexFactory(slug="access-other", name="다른 산단 <script>alert(1)</script>")
    out: dict[str, dict] = {"pledge": {}, "internal_pledge": {}, "report": {}, "pledge_report": {}, "evidence": {}}
    for side, cx in (("a", world["cx"]), ("b", other)):
        pledge = ProjectFactory(complex=cx)
        internal = ProjectFactory(complex=cx, internal=True)
        report = ProgressReportFactory(project=pledge, created_by=None)
        evidence = services.attach_evidence(
            report, SimpleUploadedFile("협약서 <b>.pdf", b"%PDF-1.4 test", "application/pdf"), name="협약서"
        )
        out["pledge"][side] = {"pk": pledge.pk, "project_id": pledge.pk}
        out["internal_pledge"][side] = {"pk": internal.pk, "project_id": internal.pk}
        out["report"][side] = {"pk": report.pk, "report_id": report.pk}
        out["pledge_report"][side] = {"pk": pledge.pk, "report_pk": report.pk}
        out["evidence"][side] = {"pk": evidence.pk}
    return out
