"""The privacy notice, generated from the policy (NO1).

The notice states what the policy file says and nothing else, so it can promise only what
the engine enforces. ``build_notice`` returns structured sections (for JSON, and for the
HTML template to lay out); Markdown is rendered from the same structure.
"""

from __future__ import annotations

import json
from typing import Any

from officium.privacy.policy import dpv, wording
from officium.privacy.policy.schema import Policy
from officium.privacy.policy.versioning import policy_hash

NoticeSection = dict[str, Any]


def _section(id_: str, title: str, paragraphs: list[str],
             table: dict[str, list[Any]] | None = None, **data: Any) -> NoticeSection:
    section: NoticeSection = {"id": id_, "title": title, "paragraphs": paragraphs}
    if table is not None:
        section["table"] = table
    if data:
        section["data"] = data
    return section


def _who(policy: Policy) -> NoticeSection:
    c = policy.controller
    who = c.name if c.legal_name is None else f"{c.name} ({c.legal_name})"
    paragraphs = [f"{policy.product} is provided by {who}."]
    if c.website:
        paragraphs.append(f"Website: {c.website}")
    if policy.processor_mode:
        paragraphs.append(
            f"For the data an organization keeps in {policy.product}, that organization is "
            f"the controller and {c.name} processes it only on its instructions. Our staff "
            "see it only under a time-limited grant from the organization, and every such "
            "access is logged."
        )
    return _section("who_we_are", "Who we are", paragraphs, controller=c.model_dump())


def _collect(policy: Policy) -> NoticeSection:
    rows = [[c.description, dpv.label(c.term), wording.SENSITIVITY[c.sensitivity]]
            for c in policy.categories]
    signup = ", ".join(wording.SIGNUP_FIELDS[f.key] for f in policy.signup_fields)
    paragraphs = [
        "We collect only the personal data listed here, each for the purposes below.",
        f"When an organization signs up we ask for exactly: {signup}.",
    ]
    return _section("what_we_collect", "What we collect", paragraphs,
                    {"columns": ["Data", "Kind", "Sensitivity"], "rows": rows},
                    categories=[c.model_dump() for c in policy.categories],
                    signup_fields=policy.signup_keys)


def _purposes(policy: Policy) -> NoticeSection:
    rows = [
        [p.description, wording.BASIS[p.basis_kind],
         ", ".join(policy.category(c).description for c in p.categories)]
        for p in policy.purposes
    ]
    paragraphs = [
        "We use personal data only for these purposes, each on the legal basis shown. "
        "Every use of personal data in Officium names its purpose, and a use that is not "
        "declared here is refused.",
        "Where a purpose relies on your consent we ask first, and you can withdraw at any "
        "time; withdrawal acts for the future and is as easy as giving consent.",
    ]
    if any(p.marketing for p in policy.purposes):
        paragraphs.append("We send marketing only with your consent, and every marketing "
                          "email carries a one-click unsubscribe link that works without "
                          "signing in.")
    return _section("purposes", "Why we use it and on what basis", paragraphs,
                    {"columns": ["Purpose", "Legal basis", "Data used"], "rows": rows},
                    purposes=[{**p.model_dump(), "basis_kind": p.basis_kind}
                              for p in policy.purposes])


def _recipients(policy: Policy) -> NoticeSection:
    rows = [
        [r.name, wording.ROLES[r.role],
         ", ".join(policy.category(c).description for c in r.categories),
         wording.places(r.countries), "yes" if r.opt_out_allowed else "no"]
        for r in policy.recipients
    ]
    paragraphs = ["These are the only recipients of personal data, what each receives and "
                  "where it is."]
    if not policy.recipients:
        paragraphs = ["We share personal data with no one."]
    if any(r.role == "authority" for r in policy.recipients):
        paragraphs.append("Every disclosure to a public authority is recorded with its legal "
                          "ground, date and the kinds of data disclosed.")
    if any(r.opt_out_allowed for r in policy.recipients):
        paragraphs.append("Where the table says so, you can opt out of a recipient viewing "
                          "your data.")
    return _section("recipients", "Who receives it and where", paragraphs,
                    {"columns": ["Recipient", "Role", "Data", "Countries", "Opt-out"],
                     "rows": rows},
                    recipients=[r.model_dump() for r in policy.recipients])


def _storage(policy: Policy) -> NoticeSection:
    where = wording.places(policy.storage_countries)
    return _section("storage", "Where we store it",
                    [f"We store and process personal data in: {where}. Recipients may "
                     "process it in the countries listed with them."],
                    countries=policy.storage_countries)


def _retention(policy: Policy) -> NoticeSection:
    rows = [[r.description,
             ", ".join(policy.category(c).description for c in r.categories),
             wording.retention_period(r)] for r in policy.retention]
    paragraphs = ["When a period ends, the data is deleted automatically, except what a "
                  "legal hold keeps; each deletion is recorded without its content."]
    if policy.termination_grace_days is not None:
        paragraphs.append(f"All of an organization's data is deleted "
                          f"{wording.days(policy.termination_grace_days)} after its account "
                          "is terminated, except what the law requires us to keep.")
    return _section("retention", "How long we keep it", paragraphs,
                    {"columns": ["Data kept", "Categories", "Period"], "rows": rows},
                    rules=[r.model_dump() for r in policy.retention],
                    termination_grace_days=policy.termination_grace_days)


def _rights(policy: Policy) -> NoticeSection:
    paragraphs: list[str] = []
    for group in policy.rights:
        who = "; ".join(policy.audience(a).description for a in group.audiences)
        rights = "; ".join(wording.RIGHTS[r] for r in group.rights)
        how = ", or ".join(wording.CHANNELS[ch] for ch in group.channels)
        paragraphs.append(f"{group.description}. Who: {who}. You can {rights}. Ask {how}; "
                          f"we answer {wording.deadline(group.deadline, group.extension)}.")
    if not policy.rights:
        paragraphs.append("This profile offers no rights requests beyond the law's minimum; "
                          "write to our privacy contact.")
    return _section("rights", "Your rights", paragraphs,
                    groups=[g.model_dump() for g in policy.rights])


def _audiences(policy: Policy) -> NoticeSection:
    paragraphs = [f"{a.description}: {wording.places(a.places)}." for a in policy.audiences]
    return _section("audiences", "Who the rights apply to", paragraphs,
                    audiences=[a.model_dump() for a in policy.audiences])


def _children(policy: Policy) -> NoticeSection:
    if policy.age is None:
        return _section("children", "Children",
                        [f"{policy.product} is for people working with the organizations "
                         "that use it and sets no age limit of its own."], threshold=None)
    n = policy.age.threshold
    return _section("children", "Children", [
        f"{policy.product} is not meant for anyone under {n}. At signup we ask you to "
        f"confirm you are at least {n}; if you are not, we create no account and keep "
        "nothing you typed.",
        "Anyone can report an account they believe belongs to a child. When our privacy "
        "officer confirms it, the account and its data are deleted.",
    ], threshold=n, check=policy.age.check)


def _cookies(policy: Policy) -> NoticeSection:
    rows = [[wording.COOKIES[c.kind], c.description,
             "only with your consent" if c.requires_consent else "always"]
            for c in policy.cookies]
    return _section("cookies", "Cookies", [
        "Strictly necessary cookies are always set; every other kind only after you agree. "
        "You can change your choice at any time from any page."],
        {"columns": ["Kind", "What they do", "Set"], "rows": rows},
        cookies=[c.model_dump() for c in policy.cookies])


def _signals(policy: Policy) -> NoticeSection:
    s = policy.signals
    if s.dnt and s.gpc:
        text = ("We honour Do Not Track (DNT) and Global Privacy Control (GPC): when your "
                "browser sends either signal we treat it as an opt-out of sharing and of "
                "non-essential tracking, without asking you again.")
    elif not s.dnt and not s.gpc:
        text = (f"{policy.product} does not respond to Do Not Track (DNT) or Global Privacy "
                "Control (GPC) signals: it works the same whether or not your browser sends "
                "one. You can still refuse non-essential cookies in the cookie settings.")
    else:
        honoured, ignored = ("Do Not Track", "Global Privacy Control") if s.dnt else (
            "Global Privacy Control", "Do Not Track")
        text = (f"We honour {honoured} as an opt-out of sharing and non-essential tracking. "
                f"{policy.product} does not respond to {ignored} signals.")
    return _section("signals", "Do Not Track and Global Privacy Control", [text],
                    dnt_honoured=s.dnt, gpc_honoured=s.gpc)


def _logs(policy: Policy) -> NoticeSection:
    if policy.logs is None:
        return _section("logs", "Logs", ["We keep no access logs with personal data."])
    logs = policy.logs
    records = ", ".join(wording.LOG_RECORDS[r] for r in logs.records)
    paragraphs = [f"Our server and application logs record: {records}. They are kept for "
                  f"{wording.days(logs.retention_days)}."]
    if logs.truncate_ip:
        paragraphs.append("Logs are not linked to you: IP addresses are shortened before "
                          "they are stored.")
    return _section("logs", "Logs", paragraphs, logs=logs.model_dump())


def _no_sale(policy: Policy) -> NoticeSection:
    return _section("no_sale", "We never sell your data", [
        f"{policy.controller.name} never sells personal data, nor insights drawn from it. "
        "Officium cannot be configured to sell it."])


def _security(policy: Policy) -> NoticeSection:
    measures = ", ".join(dpv.label(m) for m in policy.security_measures)
    paragraphs = ["Sensitive data is encrypted with keys kept apart from it, every read of "
                  "sensitive data is recorded, and you can see who read yours."]
    if measures:
        paragraphs.append(f"Measures we apply: {measures}.")
    return _section("security", "How we protect it", paragraphs,
                    measures=policy.security_measures)


def _changes(policy: Policy) -> NoticeSection:
    n = policy.changes.material_effective_after_days
    when = "when posted" if n == 0 else f"{wording.days(n)} after it is posted"
    how = " and ".join(policy.changes.notify_material)
    return _section("changes", "Changes to this notice", [
        "Every version of this notice has a revised date, and past versions stay readable. "
        "Other changes take effect when posted.",
        f"A material change takes effect {when}; we tell you by {how} and ask you to accept "
        "it. Before using your data for a new purpose that needs consent, we ask for it.",
    ], material_effective_after_days=n)


def _contact(policy: Policy) -> NoticeSection:
    c = policy.controller
    paragraphs = []
    if c.privacy_email:
        paragraphs.append(f"Privacy questions and complaints: {c.privacy_email}")
    if c.contact_form:
        paragraphs.append("You can also reach us through the contact form on this site.")
    if c.postal_address:
        paragraphs.append(f"Postal address: {c.postal_address}")
    if c.dpo is not None:
        paragraphs.append(f"Data protection officer: {c.dpo.name}, {c.dpo.email}")
    paragraphs.append("We track every complaint until it is answered.")
    return _section("contact", "How to contact us", paragraphs)


BUILDERS = (_who, _collect, _purposes, _recipients, _storage, _retention, _rights,
            _audiences, _children, _cookies, _signals, _logs, _no_sale, _security,
            _changes, _contact)


def build_notice(policy: Policy) -> dict[str, Any]:
    return {
        "profile": policy.profile,
        "product": policy.product,
        "revised": policy.revised.isoformat(),
        "version": policy_hash(policy),
        "sections": [build(policy) for build in BUILDERS],
    }


def _markdown_table(table: dict[str, list[Any]]) -> list[str]:
    def row(cells: list[Any]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [row(table["columns"]), row(["---"] * len(table["columns"])),
            *(row(r) for r in table["rows"])]


def render_markdown(policy: Policy) -> str:
    notice = build_notice(policy)
    lines = [f"# Privacy notice: {notice['product']}", "",
             f"Revised {notice['revised']} (version {notice['version'][:12]})", ""]
    for section in notice["sections"]:
        lines += [f"## {section['title']}", ""]
        for paragraph in section["paragraphs"]:
            lines += [paragraph, ""]
        if section.get("table") and section["table"]["rows"]:
            lines += [*_markdown_table(section["table"]), ""]
    return "\n".join(lines)


def render_json(policy: Policy) -> str:
    return json.dumps(build_notice(policy), indent=2, ensure_ascii=False, default=str)
