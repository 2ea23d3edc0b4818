"""The hand-counted fixture behind the Data flows tests: two workspaces' traffic in November
2026 (IST) with exactly one violation of each conformance rule.

In the period (1–30 Nov IST): 13 events from 2 workspaces about 4 contacts; 8 processed
outside India, 1 with no region recorded. The period before holds 1 event; 1 more falls
after the period. The violations:

- sent after disconnection: an SMS to MSG91 on 15 Nov, after Sharma Realty disconnected
  MSG91 on 10 Nov (the delivery report that MSG91 sent back on 16 Nov is not a send);
- an undeclared category: a JustDial lead that carried an email address;
- a transfer outside India: a JustDial lead processed in Singapore;
- an AI call carrying a category its feature does not declare: a follow-up draft with a phone;
- a withdrawn contact's data still flowing: a WhatsApp template on 12 Nov to a contact who
  withdrew consent on 10 Nov (their status update back on 13 Nov is not a send).
"""

from dataclasses import dataclass
from datetime import datetime

from tests.builders import Builder


@dataclass(frozen=True)
class Flows:
    sharma: int
    iyer: int
    msg91: int  # Sharma Realty's disconnected MSG91 integration
    contacts: list[int]  # every contact, to check no one's details are shown


def november_flows(engine) -> Flows:
    b = Builder(engine)
    sharma = b.workspace(name="Sharma Realty")
    iyer = b.workspace(name="Iyer Academy")
    a1, a2 = b.contact(sharma), b.contact(sharma)
    a3 = b.contact(sharma, consent_status="withdrawn", consent_withdrawn_at=datetime(2026, 11, 10, 4, 30))
    b1 = b.contact(iyer)

    meta = b.integration(sharma, provider="meta")
    whatsapp = b.integration(sharma, provider="whatsapp")
    msg91 = b.integration(sharma, provider="msg91", status="disconnected",
                          disconnected_at=datetime(2026, 11, 10, 6))
    anthropic = b.integration(sharma, provider="anthropic")
    justdial = b.integration(iyer, provider="justdial")
    resend = b.integration(iyer, provider="resend")

    lead = "name,email,phone,lead_form_data"
    template = "name,phone,message_content"

    def event(integration, kind, day, contact, categories, region):
        b.integration_event(integration, kind=kind, occurred_at=datetime(2026, 11, day, 6),
                            contact_id=contact, data_categories=categories, processing_region=region)

    event(meta, "lead_received", 2, a1, lead, "US")
    event(meta, "lead_received", 3, a2, lead, "US")
    event(whatsapp, "template_sent", 5, a1, template, "US")
    event(whatsapp, "template_sent", 12, a3, template, "US")  # after a3 withdrew consent
    event(whatsapp, "status_update", 13, a3, "phone", "US")
    event(msg91, "sms_sent", 8, a2, template, "IN")
    event(msg91, "sms_sent", 15, a1, template, "IN")  # after the disconnection
    event(msg91, "delivery_report", 16, a1, "phone", "IN")
    event(justdial, "lead_received", 4, b1, "name,phone,lead_form_data,email", "IN")  # email undeclared
    event(justdial, "lead_received", 20, None, "name,phone,lead_form_data", "SG")  # outside India
    event(resend, "email_sent", 6, b1, "name,email,message_content", "US")
    event(resend, "email_event", 7, b1, "email,device_usage", None)
    event(anthropic, "ai_call", 9, a2, "name,lead_form_data,crm_notes", "US")
    b.integration_event(meta, kind="lead_received", occurred_at=datetime(2026, 10, 20), contact_id=a1,
                        data_categories=lead, processing_region="US")  # the period before
    b.integration_event(meta, kind="lead_received", occurred_at=datetime(2026, 12, 1), contact_id=a1,
                        data_categories=lead, processing_region="US")  # after the period

    b.ai_call(sharma, feature="lead_scoring", occurred_at=datetime(2026, 11, 9, 6), contact_id=a2)
    b.ai_call(sharma, feature="followup_draft", occurred_at=datetime(2026, 11, 11, 6), contact_id=a1,
              data_categories="name,message_content,crm_notes,phone")  # phone undeclared
    return Flows(sharma, iyer, msg91, [a1, a2, a3, b1])
