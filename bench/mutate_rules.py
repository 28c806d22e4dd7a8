"""Data tables for ``bench.mutate``: every rule, word list and text pool a variant draws on.

Only data (and the small types and helpers the tables are built from); ``bench.mutate``
applies them. Changing a table changes every generated variant, so the benchmark's test set.

Exports:
    Choice, Spec                 -- a rule's replacement (template or function), a mutation kind
    SUBSTANTIVE, BENIGN          -- {kind: Spec}: substantive and benign text edits
    QUOTE_SWAPS, TYPO_PROTECTED  -- quote swaps; words a typo must not touch
    SYNONYMS                     -- (word, synonym) pairs for paraphrases
    INTRO, LIST3, DEPENDENT_START -- paraphrase patterns: an intro clause, a 3-item list,
                                    sentence openings that must not be swapped first
    STYLES                       -- the labelling styles a variant can be rendered in
    DOTTED_DEEP, DOTTED_KINDS, SECTION_DEEP, PAREN -- deep-level label formats per style
    PATH_KINDS, WORD_BULLETS     -- path labels below a section number; Word's bullet glyphs
    AGENCIES, DISTRICTS, AGENCY_RULES -- names put in place of the model's placeholders
    HEADER_BLOCKS, HEADER_FLAVORS -- running page header templates and the mixes drawn from
    FOREIGN                      -- ((heading, (paragraph, ...)), ...): foreign agency sections
    TEXT_KINDS, DOC_KINDS, KINDS -- mutation kinds: text edits, document edits, all of them
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

__all__ = [
    "Choice",
    "Spec",
    "SUBSTANTIVE",
    "BENIGN",
    "QUOTE_SWAPS",
    "TYPO_PROTECTED",
    "SYNONYMS",
    "INTRO",
    "LIST3",
    "DEPENDENT_START",
    "STYLES",
    "DOTTED_DEEP",
    "DOTTED_KINDS",
    "SECTION_DEEP",
    "PAREN",
    "PATH_KINDS",
    "WORD_BULLETS",
    "AGENCIES",
    "DISTRICTS",
    "AGENCY_RULES",
    "HEADER_BLOCKS",
    "HEADER_FLAVORS",
    "TEXT_KINDS",
    "DOC_KINDS",
    "KINDS",
    "FOREIGN",
]

STYLES = (
    "original",
    "order",
    "compound",
    "dotted",
    "section",
    "paren",
    "markdown",
    "bullets",
    "none",
    "path",
    "section_paren",
    "dashed",
    "glued",
    "word_bullets",
    "article",
)


# ---------------------------------------------------------------------------------------------
# Text rules: (pattern, choices); a choice is a template string or a function of the match.

Choice = str | Callable[[re.Match[str], Random], str]


@dataclass(frozen=True)
class Spec:
    """One mutation kind: its group (substantive, benign), category and rules."""

    group: str
    rules: tuple[tuple[str, tuple[Choice, ...]], ...]
    category: str = ""
    accept: tuple[str, ...] = ()
    direction: str | None = None


def _other_digit(match: re.Match[str], rng: Random) -> str:
    return rng.choice([d for d in "2345678" if d != match.group(0)])


_NOT_MODAL = r"(?! not| occur| affect| arise| further| exercise)"

SUBSTANTIVE: dict[str, Spec] = {
    "modality_weaker": Spec(
        "substantive",
        (
            (r"\b(?:shall|must)\b" + _NOT_MODAL, ("should", "may")),
            (r"\bwill\b" + _NOT_MODAL, ("may", "should")),
            (r"\b(is|are)( often)? required to\b", (r"\1\2 encouraged to",)),
            (r"\bare expected to\b", ("are encouraged to", "may")),
        ),
        "modality",
        ("modality",),
        "weaker",
    ),
    "modality_stronger": Spec(
        "substantive",
        ((r"\b(?:should|may)\b" + _NOT_MODAL, ("must", "shall")),),
        "modality",
        ("modality",),
        "stronger",
    ),
    "negation_add": Spec(
        "substantive",
        ((r"\b(shall|must|should|will|may)\b" + _NOT_MODAL, (r"\1 not",)),),
        "negation",
        ("negation",),
    ),
    "negation_remove": Spec(
        "substantive",
        (
            (r"\b(shall|must|should|will|may) not\b", (r"\1",)),
            (r"\b(is|are) not (required|obligated|limited)\b", (r"\1 \2",)),
        ),
        "negation",
        ("negation",),
    ),
    "number": Spec(
        "substantive",
        ((r"(?<=fewer than )60\b", ("90", "120")),),
        "number",
        ("number", "duration"),
        "weaker",  # a wider exemption
    ),
    "number_stronger": Spec(
        "substantive",
        ((r"(?<=fewer than )60\b", ("30", "45")),),
        "number",
        ("number", "duration"),
        "stronger",
    ),
    "duration": Spec(
        "substantive",
        (
            (r"\bsix months\b", ("twelve months", "nine months", "one year")),
            (r"\bthree years\b", ("five years", "four years", "ten years")),
        ),
        "duration",
        ("duration", "number"),
        "weaker",  # a longer time limit or interval
    ),
    "duration_stronger": Spec(
        "substantive",
        ((r"\bsix months\b", ("three months", "two months")), (r"\bthree years\b", ("two years",))),
        "duration",
        ("duration", "number"),
        "stronger",
    ),
    "date": Spec(
        "substantive",
        (
            (r"\bSeptember 1, 2025\b", ("January 1, 2026", "September 1, 2026")),
            (r"\bJune 1, 2027\b", ("June 1, 2028", "January 1, 2028")),
        ),
        "date",
        ("date",),
        "weaker",  # a later deadline or cut-off
    ),
    "date_earlier": Spec(
        "substantive",
        (
            (r"\bSeptember 1, 2025\b", ("July 1, 2025",)),
            (r"\bJune 1, 2027\b", ("January 1, 2027", "June 1, 2026")),
        ),
        "date",
        ("date",),
        "stronger",
    ),
    "modal_dropped": Spec(
        "substantive",
        ((r"\b(?:shall|must) (?!not\b|be\b|have\b|also\b|only\b)(?=[a-z]{4,}\b)", ("",)),),
        "modality",
        ("modality",),
        "weaker",
    ),
    "citation": Spec(
        "substantive",
        (
            (r"\b626\.8482\b", ("626.8483", "626.8481", "626.8492")),
            (r"(?<=\bSubd\. )\d\b", (_other_digit,)),
            (r"(?<=\bsubdivision )\d\b", (_other_digit,)),
            (r"(?<=\bSub\. )8\b", ("9", "7")),
            (r"(?<=paragraph )\(a\)", ("(1)", "(b)", "(c)")),
            (r"(?<=paragraph )\(b\)", ("(a)", "(c)")),
            (r"(?<=clause )\(4\)", ("(3)", "(6)")),
            (r"\b120A\.05\b", ("120A.06", "120A.15")),
            (r"\b609\.02\b", ("609.03",)),
            (r"\b121A\.58\b", ("121A.59", "121A.67")),
            (r"\b609\.066\b", ("609.065",)),
            (r"\b609\.06\b(?!6)", ("609.07",)),
            (r"\b626\.8475\b", ("626.8474",)),
            (r"\b626\.8452\b", ("626.8453",)),
            (r"(?<=chapter )13\b", ("14",)),
            (r"\b1205\.2000\b", ("1205.3000",)),
        ),
        "citation",
        ("citation", "cross-reference"),
    ),
    "cross_reference": Spec(
        "substantive",
        (
            (r"(?<=paragraph )IV\.A\b", ("IV.B", "IV.C")),
            (r"(?<=paragraph )E\.1\b", ("E.2", "G.2")),
            (r"(?<=paragraphs )E\.2\b", ("E.1", "F.2")),
            (r"(?<=, )E\.4\b", ("E.5",)),
            (r"(?<=paragraph )V\.A\b", ("V.B", "V.E")),
            (r"\bV\.D\b", ("V.E",)),
        ),
        "cross-reference",
        ("cross-reference", "citation"),
    ),
}

BENIGN: dict[str, Spec] = {
    "abbreviation": Spec(
        "benign",
        (
            (
                r"\bMinn\. Stat\.(?!s)(?: §)?",
                ("MSS", "M.S.", "Minn. Stat. §", "Minnesota Statutes"),
            ),
            (r"\bMinnesota Statutes, section\b", ("Minn. Stat. §", "MSS", "M.S.", "Minn. Stat.")),
            (r"\bMinn\. Stats\.", ("Minnesota Statutes", "MSS", "M.S.")),
        ),
    ),
    "number_words": Spec(
        "benign",
        (
            (r"(?<=fewer than )60\b", ("sixty (60)", "sixty")),
            (r"\bsix months\b", ("six (6) months", "6 months")),
            (r"\bthree years\b", ("three (3) years", "3 years")),
        ),
    ),
    "possessive": Spec(
        "benign",
        ((r"\bSRO's(?= )", ("SROs",)), (r"\bSROs(?= (?:shall|should|are|work))", ("SRO's",))),
    ),
    "article": Spec(
        "benign",
        (
            (r"\b[Aa]n(?= [a-z])", (lambda m, r: m.group(0)[0],)),
            (r"\b[Aa](?= [a-z])", (r"\g<0>n",)),
        ),
    ),
    "oxford_comma": Spec(
        "benign",
        (
            (r"(, [\w'’()/-]+(?: [\w'’()/-]+){0,2}) and\b", (r"\1, and",)),
            (r"(, [\w'’()/-]+(?: [\w'’()/-]+){0,2}), and\b", (r"\1 and",)),
        ),
    ),
    "self_reference": Spec(
        "benign",
        (
            (
                r"\bany policy adopted (?:by the officer's employer )?pursuant to (?:section "
                r"626\.8482, )?subdivision 6(?: by the law enforcement agency that employs the "
                r"substitute school resource officer)?",
                ("this policy",),
            ),
            (r"\bthat policy\b", ("this policy",)),
        ),
    ),
    "party_names": Spec(
        "benign",
        (
            (
                r"\b(?:[Aa]|[Tt]he) school district or charter school\b",
                ("impacted schools", "participating schools", "the school district"),
            ),
            (
                r"\bthe school district and the law enforcement agency\b",
                ("the law enforcement agency and impacted schools",),
            ),
            (r"\bwith the school district\b", ("with participating schools",)),
        ),
    ),
    "chief_title": Spec(
        "benign",
        (
            (
                r"\bthe chief law enforcement officer\b",
                ("the Chief of Police", "the Sheriff", "the Police Chief"),
            ),
        ),
    ),
}

QUOTE_SWAPS = (("'", "’"), ("’", "'"), ("“", '"'), ("”", '"'))
TYPO_PROTECTED = frozenset(
    "required obligated prohibited mandated minimum practicable practical without"
    " unless except including never neither nothing cannot expected encouraged".split()
)
SYNONYMS = (
    ("utilize", "use"),
    ("utilizing", "using"),
    ("prior to", "before"),
    ("in lieu of", "instead of"),
    ("facilitate", "aid"),
    ("regarding", "concerning"),
    ("assist with", "help with"),
    ("individual", "person"),
    ("whenever possible", "when possible"),
    ("notified", "informed"),
    ("opportunities", "chances"),
    ("various", "different"),
    ("potential", "possible"),
    ("rapidly evolving", "fast-changing"),
    ("thoroughly", "fully"),
    ("fulfill", "carry out"),
    ("maintain", "keep"),
    ("the most recent", "the latest"),
    ("at a minimum of", "at least"),
    ("decrease", "reduce"),
    ("severity", "seriousness"),
    ("methods", "means"),
    ("foster", "promote"),
    ("fostering", "promoting"),
    ("educating", "teaching"),
    ("strategies", "approaches"),
    ("techniques", "methods"),
    ("empathetic", "compassionate"),
    ("accommodations", "adjustments"),
    ("purpose", "aim"),
    ("valuable", "useful"),
    ("establishment", "creation"),
    ("vulnerabilities", "weaknesses"),
    ("liaison", "link"),
    ("provides instruction on", "teaches"),
    ("pursuant to", "under"),
    ("in compliance with", "in accordance with"),
    ("approximately", "about"),
    ("obtain", "get"),
)
INTRO = re.compile(
    r"^(When|If|Whenever|As much as is reasonably practical|When reasonably practicable"
    r"|Consistent with training after any use of force) ([^,]+), (.+?)([.;:]?)$"
)
LIST3 = re.compile(r"\b([a-z]+), ([a-z]+),? and ([a-z]+)\b")
DEPENDENT_START = ("However", "This", "These", "It ", "They", "Such", "That")


# ---------------------------------------------------------------------------------------------
# Agency and district names

AGENCIES = (
    "Duluth Police Department",
    "Hutchinson Police Department",
    "Lakeville Police Department",
    "Stearns County Sheriff's Office",
    "Mankato Department of Public Safety",
    "Rochester Police Department",
    "Moorhead Police Department",
    "Winona Police Department",
    "Bemidji Police Department",
    "Brooklyn Park Police Department",
)
DISTRICTS = (
    "Duluth Public Schools",
    "Independent School District 709",
    "Rochester Public Schools",
    "ISD 283",
    "Moorhead Area Public Schools",
    "the Winona Area Public Schools",
)
AGENCY_RULES = {
    "post-sro": (
        (r"\[AGENCY NAME\]", "{agency}"),
        (r"\bthe Law Enforcement Agency(?= Use of Force Policy)", "the {agency}"),
        (r"\b[Tt]he law enforcement agency\b", "the {agency}"),
    ),
    "msba-507.5": (
        (r"\b[Tt]he school district\b", "{district}"),
        (r"\ba school resource officer's employer\b", "the {agency}"),
    ),
}


# ---------------------------------------------------------------------------------------------
# Labels below the top levels, per style

DOTTED_DEEP = ("({}) ", "{}. ", "({}) ")
DOTTED_KINDS = ("a", "1", "i")
SECTION_DEEP = ("a", "i", "1", "A")
PAREN = ("a", "1", "i", "A", "1", "a")
PATH_KINDS = ("A", "1", "i", "a")  # below the section number: 417.4.A.1.i.a
WORD_BULLETS = ("\u25cf", "o", "\u25aa")  # Word's exported bullets by depth


# ---------------------------------------------------------------------------------------------
# Foreign agency text: what adopting documents add that the model does not say

_FOREIGN_TEXT = """
# Duty hours
SRO schedules will generally follow the schedule of the school district during the school year,
with start and end times set by the Patrol Sergeant.

When school is not in session because of a late start or a weather cancellation, the SRO shall
contact the on-duty Patrol Sergeant for a daily assignment.

Overtime worked at after-school events must be approved in advance by the Administrative
Sergeant and recorded on the weekly timesheet.

# Summer assignments
During the summer months, SROs are assigned to the Patrol Division and work the shift schedule
posted by the Operations Lieutenant.

SROs may be assigned to summer youth programs, park patrols and community events between the
last day of school and the first day of the fall term.

Vacation requests for the summer break should be submitted to the Patrol Lieutenant no later
than April 15.

# Uniforms and equipment
SROs will wear the department Class B uniform unless the building principal and the Patrol
Lieutenant agree that a polo shirt with the department badge is suitable.

The department issues each SRO a portable radio, a body-worn camera and a laptop computer
configured for the records management system.

Body-worn cameras are activated in accordance with the department's body-worn camera policy,
including during calls for service on school property.

# Vehicles
Each SRO is assigned a marked squad car that is parked in a visible location near the main
entrance of the building during the school day.

Squad cars assigned to SROs may be taken home only with the written approval of the Deputy Chief
of Operations.

Students are not transported in department vehicles except in an emergency or after an arrest,
and each transport is logged with the starting and ending odometer reading.

# Supervision and reporting
SROs report to the Investigations Sergeant, who reviews their monthly activity reports and meets
with each building principal at least once per semester.

The SRO supervisor prepares an annual program report for the City Council that summarizes calls
for service, citations and community programs.

Complaints about an SRO are handled under the department's personnel complaint procedure, and
the school district is notified of the outcome.

# Office space
The district provides each SRO with a private office that has a locking door, a telephone line
and a secure network connection.

Department records and evidence are never stored in the school office; they are taken to the
police station at the end of each shift.

# Funding
The school district reimburses the city for seventy-five percent of the salary and benefits of
each assigned officer for the nine months of the school year.

Invoices for SRO services are sent to the district business office each quarter and are payable
within thirty days.

# Selection
Officers who wish to serve as an SRO submit a letter of interest to the Patrol Captain and are
interviewed by a panel that includes a school administrator.

An officer must have completed probation and at least three years of patrol experience to be
considered for an SRO assignment.

SRO assignments are reviewed every two years, and an officer may ask to return to patrol at the
end of any school year.

# Special events
SROs coordinate security for graduation ceremonies, homecoming and state tournament games with
the athletic director and the on-duty shift supervisor.

Extra-duty officers hired by the district for dances and athletic events are paid at the
contract overtime rate and are not counted as SRO staffing.

# Traffic and parking
SROs assist with traffic control at the beginning and end of the school day when staffing allows
and parking lot congestion creates a hazard.

Parking violations in school lots are enforced under the city ordinance, and repeat violators
are referred to the building principal.

# Emergency drills
SROs take part in at least one lockdown drill per semester at each assigned building and review
the building emergency plan with the principal each August.

After each drill the SRO completes an after-action form and sends it to the district safety
coordinator within five business days.

# Community programs
SROs may teach classes on internet safety, bicycle safety and the dangers of vaping when invited
by a classroom teacher.

The department sponsors a youth police academy each summer, and SROs help recruit students from
the buildings they serve.

SROs are encouraged to attend parent nights, open houses and school board meetings to answer
questions about the program.

# Investigations
Crimes reported at school that require follow-up beyond the school day are assigned to the
Investigations Division by the on-duty sergeant.

Interviews of students as suspects follow the department's juvenile interview policy, including
notice to a parent or guardian when required by law.

# Contract term
The agreement between the city and the district runs for three school years and renews
automatically unless either party gives notice by March 1.

Either party may terminate the agreement with ninety days written notice to the other party's
chief executive.
"""


def _parse_foreign(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    topics: list[tuple[str, list[str]]] = []
    for chunk in text.strip().split("\n\n"):
        lines = chunk.strip().splitlines()
        if lines[0].startswith("# "):
            topics.append((lines.pop(0)[2:], []))
        topics[-1][1].append(" ".join(lines))
    return tuple((head, tuple(paras)) for head, paras in topics)


FOREIGN = _parse_foreign(_FOREIGN_TEXT)


TEXT_KINDS = tuple(SUBSTANTIVE) + tuple(BENIGN) + ("quotes", "typo", "paraphrase")
DOC_KINDS = (
    "deletion",
    "agency_name",
    "insertion",
    "move",
    "relabel",
    "wrap",
    "page_headers",
    "doubled_bullets",
    "hyphen_wrap",
)
KINDS = TEXT_KINDS + DOC_KINDS


# ---------------------------------------------------------------------------------------------
# Running page headers: templates by flavor ({name}, {manual}, {code} the policy's number
# ("507.5"), {k} page, {total} pages)

HEADER_BLOCKS: dict[str, tuple[str, ...]] = {
    "lexipol": ("{name}", "", "Policy Manual", "", "School Resource Officer"),
    "markdown": ("## *School Resource Officer*", "", "---"),
    "page": ("Page {k} of {total}",),
    "footer": ("Policy {manual} School Resource Officer", "Page {k}"),
    "copyright": (
        "Copyright Lexipol, LLC 2025/01/15, All Rights Reserved.",
        "Published with permission by {name}",
    ),
    "policy_page": ("Policy {manual} - School Resource Officer - {k}",),
    "district_page": ("{code}-{k}",),
}
HEADER_FLAVORS = (
    "lexipol",
    "markdown",
    "page",
    "footer",
    "page+lexipol",
    "copyright+policy_page",
    "lexipol+copyright",
    "district_page",
)
