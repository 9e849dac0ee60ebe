from tests.reports.conftest import berlin_org  # noqa: F401 (the organisation of Berlin)
