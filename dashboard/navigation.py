"""The pages that are built, where their files are, and which a role sees.

Only built pages are listed here. A page a role may not open is still registered, but
hidden, so a URL typed by hand reaches the page's own guard and gets a clear refusal
rather than a silent jump to the Overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.auth.roles import access

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    id: str  # the key in auth.roles.PAGE_ACCESS and the URL path
    title: str
    icon: str
    section: str

    @property
    def path(self) -> Path:
        return PAGES_DIR / f"{self.id}.py"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", ":material/dashboard:", "Business"),
    PageSpec("integrations", "Integration health", ":material/monitor_heart:", "Operations"),
    PageSpec("data_flows", "Data flows", ":material/account_tree:", "Privacy"),
    PageSpec("rights_requests", "Rights requests", ":material/assignment_ind:", "Privacy"),
    PageSpec("ai_usage", "AI usage", ":material/psychology:", "Business"),
    PageSpec("audit_log", "Audit log", ":material/history:", "Accountability"),
    PageSpec("team", "Team", ":material/group:", "Admin"),
    # --- retention and the breach register (issue 6) ---
    PageSpec("retention", "Retention and holds", ":material/auto_delete:", "Privacy"),
    PageSpec("breaches", "Breach register", ":material/gpp_maybe:", "Privacy"),
    # --- workspace 360 ---
    PageSpec("workspace", "Workspace 360", ":material/domain:", "Business"),
)

DEFAULT_PAGE = "overview"


def visible_to(role: str) -> list[PageSpec]:
    return [spec for spec in PAGES if access(role, spec.id) is not None]
