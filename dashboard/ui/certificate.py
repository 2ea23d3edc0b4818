"""The deletion certificate as one self-contained, printable HTML page (no scripts, no
external assets; print it to PDF from the browser). HTML rather than a PDF library: it
needs no new dependency and prints cleanly with the ``@media print`` rules below.

It states what was erased (per table and column), where (the records, by id), when and by
whom, each sub-processor task with its evidence, what was kept under which legal hold and
why, and the compliance records kept as evidence. The subject is named by the request's
reference and a masked email: the certificate travels, personal data does not.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from dashboard import clock
from dashboard.auth import masking
from dashboard.policy import categories as vocabulary
from queries.execution import Certificate

_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1a1a1a;
       max-width: 860px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } .muted { color: #555; font-size: 0.85rem; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; }
               tr { page-break-inside: avoid; } }
"""


def _when(moment) -> str:
    return "—" if moment is None or pd.isna(moment) else f"{clock.format_ist(moment)} IST"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p class='muted'>None.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html(cert: Certificate, *, issued_by: str) -> str:
    """The certificate page; call only when ``cert.refusal`` is None."""
    erased_rows = [[_when(run.at), run.actor, place, str(n)]
                   for run in cert.runs for place, n in sorted(run.erased.items())]
    record_rows = [[f"{r['type']} {r['id']}", f"workspace {r['workspace_id']}" if r.get("workspace_id") else "—"]
                   for r in {(r["type"], r["id"]): r for run in cert.runs for r in run.records}.values()]
    task_rows = [[t.sub_processor, t.method.replace("_", " "), t.categories, _when(t.sent_at),
                  _when(t.acknowledged_at), t.evidence or "—"] for t in cert.tasks.itertuples(index=False)]
    hold_rows = [[f"#{h['id']}", h["basis"], ", ".join(vocabulary.label(c) for c in
                                                       vocabulary.ordered(vocabulary.parse(h["categories"]))),
                  h["reason"], _when(h["expires_at"]) if h["expires_at"] else "until released"]
                 for h in cert.holds]
    kept_rows = [[r.place, str(r.record_id), vocabulary.label(r.category)] for r in cert.remnants if r.held]
    last = cert.runs[-1]
    subject = masking.email(cert.subject_email) or "—"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Deletion certificate {escape(cert.reference)}</title>
<style>{_STYLE}</style></head><body>
<h1>Certificate of erasure</h1>
<p class="muted">Zivo CRM · issued {escape(_when(cert.issued_at))} by {escape(issued_by)}</p>
<table><tbody>
<tr><th>Request</th><td>{escape(cert.reference)} ({escape(cert.request_type.replace('_', ' '))},
{escape(cert.jurisdiction)}), received {escape(_when(cert.received_at))}</td></tr>
<tr><th>Data principal</th><td>{escape(cert.subject_kind.replace('_', ' '))} · {escape(subject)}</td></tr>
<tr><th>Workspace</th><td>{escape(cert.workspace or '—')}</td></tr>
<tr><th>Erased</th><td>{escape(_when(last.at))} by {escape(last.actor)}
{f'(and {len(cert.runs) - 1} earlier run(s))' if len(cert.runs) > 1 else ''}</td></tr>
</tbody></table>
<h2>What was erased, and where</h2>
<p>The personal data in every table and column of Zivo's data category map, in the records
below, was erased or anonymised. A residual check for the principal's email and phone found
nothing remaining outside what is kept below.</p>
{_table(["When", "By", "Table.column", "Values"], erased_rows)}
<h2>Records erased</h2>
{_table(["Record", "Where"], record_rows)}
<h2>Sub-processors</h2>
<p>Each sub-processor that received the principal's data was asked to erase it and confirmed.</p>
{_table(["Sub-processor", "How", "Categories it received", "Sent", "Confirmed", "Evidence"], task_rows)}
<h2>What was kept, and why</h2>
{_table(["Hold", "Basis", "Categories", "Why", "Until"], hold_rows)}
{_table(["Kept in", "Record", "Category"], kept_rows) if kept_rows else ""}
<p>Kept as evidence of this erasure (compliance records, not the principal's CRM data):
{escape('; '.join(cert.evidence))}.</p>
</body></html>
"""
