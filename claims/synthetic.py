"""Varied, realistic-looking text for load testing: claims, quotes, names, headlines.

Sentences are built from many templates and large vocabularies with skewed (Zipf-like)
word frequencies, as in real news text: a few words are very common, most are rare.
That keeps full-text search and trigram matching honest at scale, where a single
repeated template would make every search hit either everything or nothing.
"""

import random
from itertools import accumulate

COUNTRIES = (
    "Russia Ukraine China India Brazil Nigeria Kenya Mexico Canada Germany France Italy Spain Poland Turkey Iran "
    "Iraq Syria Egypt Ethiopia Indonesia Pakistan Bangladesh Japan Vietnam Thailand Philippines Argentina Chile "
    "Colombia Peru Venezuela Sweden Norway Finland Denmark Greece Portugal Romania Hungary Austria Belgium "
    "Netherlands Ireland Scotland Wales Morocco Algeria Tunisia Ghana Senegal Uganda Tanzania Zambia Zimbabwe "
    "Angola Mozambique Australia Zealand Malaysia Singapore Korea Taiwan Mongolia Kazakhstan Uzbekistan Georgia "
    "Armenia Azerbaijan Belarus Moldova Lithuania Latvia Estonia Serbia Croatia Bosnia Albania Israel Lebanon "
    "Jordan Qatar Kuwait Oman Yemen Sudan Libya Somalia Haiti Cuba Jamaica Bolivia Ecuador Paraguay Uruguay"
).split()
PLACES = (
    "Lagos Nairobi Mumbai Delhi Karachi Dhaka Jakarta Manila Bangkok Hanoi Seoul Tokyo Beijing Shanghai Moscow "
    "Kyiv Kharkiv Odesa Warsaw Berlin Paris Madrid Rome Athens Istanbul Ankara Tehran Baghdad Cairo Riyadh "
    "Dubai Doha Casablanca Dakar Accra Kampala Kinshasa Johannesburg Cape Town Lima Bogota Caracas Quito "
    "Santiago Buenos Aires Montevideo Sao Paulo Rio Mexico City Havana Toronto Montreal Chicago Houston Miami "
    "Seattle Denver Phoenix Atlanta Boston Detroit London Manchester Glasgow Dublin Lisbon Oslo Stockholm "
    "Helsinki Copenhagen Vienna Prague Budapest Bucharest Sofia Belgrade Zagreb Tbilisi Yerevan Baku Almaty"
).split()
ORGANISATIONS = [
    "the health ministry",
    "the central bank",
    "the finance ministry",
    "the election commission",
    "the army",
    "the police",
    "the World Bank",
    "the IMF",
    "the United Nations",
    "the WHO",
    "the European Commission",
    "the interior ministry",
    "the opposition party",
    "the ruling party",
    "the teachers' union",
    "the chamber of commerce",
    "the statistics office",
    "the energy regulator",
    "the supreme court",
    "the city council",
    "the defence ministry",
    "the foreign ministry",
    "the customs service",
    "the tax authority",
    "the port authority",
    "the national railway",
    "the state broadcaster",
    "a think tank",
    "a farmers' association",
    "the medical association",
    "the border agency",
    "the housing agency",
    "the climate agency",
]
FIRST_NAMES = (
    "Amina Ana Andrei Aisha Ahmed Alejandro Alice Amir Anders Arjun Beatriz Bogdan Camila Carlos Chen Chidi "
    "Daniel Diego Dmitri Elena Emeka Emma Erik Fatima Felipe Femi Grace Hana Hassan Ibrahim Ines Ivan Jakub "
    "James Javier Jin Joao Jose Juan Kateryna Kemal Kofi Laila Lars Leila Liam Lucia Luis Maria Mariam Marta "
    "Mateo Mehmet Mei Miguel Mohammed Nadia Natalia Nikolai Noor Olena Olga Omar Oksana Pablo Pedro Priya "
    "Rahul Rania Ricardo Rosa Ruth Samir Sara Sergei Sofia Stefan Sun Tamar Tomas Valentina Victor Wei Yara "
    "Yusuf Zainab Zhang Zofia"
).split()
LAST_NAMES = (
    "Abdullah Adeyemi Ahmadi Alvarez Andersen Bakr Banda Becker Bianchi Bondarenko Castro Chen Costa Cruz "
    "Dimitrov Diaz Dubois Eze Fernandez Fischer Garcia Gomez Gonzalez Haddad Hansen Hernandez Hoffmann Horvat "
    "Hussein Ivanova Jensen Kamau Kaya Khan Kim Kovalenko Kowalski Kumar Lee Lopez Martin Mensah Moreau "
    "Mueller Murphy Nakamura Nguyen Novak Okafor Oliveira Omondi Ortiz Osei Park Patel Perez Petrov Popescu "
    "Quispe Ramirez Reyes Rodriguez Romero Rossi Sanchez Santos Schmidt Shevchenko Silva Singh Smirnova Sokolov "
    "Suarez Tanaka Torres Tkachenko Usman Vargas Volkov Wang Weber Wilson Yadav Yamamoto Yilmaz Zhou"
).split()
ROLES = [
    "finance minister",
    "health minister",
    "opposition leader",
    "mayor",
    "governor",
    "senator",
    "member of parliament",
    "central bank governor",
    "spokesperson",
    "party chair",
    "prime minister",
    "president",
    "defence minister",
    "economist",
    "union leader",
    "activist",
    "military analyst",
    "police chief",
    "public health official",
    "energy minister",
    "trade minister",
    "ambassador",
    "campaign manager",
    "commentator",
    "talk show host",
    "professor",
    "chief executive",
    "religious leader",
    "election official",
    "judge",
]
ITEMS = [
    "artillery shells",
    "rockets",
    "drones",
    "tanks",
    "vaccine doses",
    "tonnes of grain",
    "barrels of oil",
    "jobs",
    "new homes",
    "teachers",
    "nurses",
    "hospital beds",
    "kilometres of road",
    "schools",
    "refugees",
    "migrants",
    "asylum claims",
    "arrests",
    "murders",
    "burglaries",
    "electric cars",
    "solar panels",
    "wind turbines",
    "cubic metres of gas",
    "megawatts of power",
    "students",
    "graduates",
    "doctors",
    "police officers",
    "soldiers",
    "volunteers",
    "workers",
    "builders",
    "farmers",
    "tourists",
    "flights",
    "tonnes of fertiliser",
    "ballistic missiles",
    "warships",
    "fighter jets",
    "coal plants",
    "trees",
    "litres of water",
    "loans",
    "small businesses",
    "pensioners",
    "voters",
    "polling stations",
    "bridges",
]
VERBS_PAST = [
    "bought",
    "sold",
    "delivered",
    "promised",
    "built",
    "hired",
    "cut",
    "lost",
    "created",
    "imported",
    "exported",
    "sent",
    "received",
    "approved",
    "blocked",
    "destroyed",
    "seized",
    "ordered",
    "funded",
    "pledged",
    "deported",
    "trained",
    "vaccinated",
    "arrested",
    "released",
    "closed",
    "opened",
    "planted",
]
TRENDS = ["rose", "fell", "doubled", "halved", "tripled", "jumped", "dropped", "climbed", "collapsed", "grew"]
MEASURES = [
    "inflation",
    "unemployment",
    "the murder rate",
    "fuel prices",
    "food prices",
    "rents",
    "house prices",
    "the budget deficit",
    "public debt",
    "child poverty",
    "emissions",
    "crime",
    "turnout",
    "wages",
    "exports",
    "imports",
    "hospital waiting times",
    "school attendance",
    "the birth rate",
    "life expectancy",
    "electricity prices",
    "grain exports",
    "tax revenue",
    "military spending",
    "the trade deficit",
]
TIMES = [
    "last year",
    "this year",
    "since {year}",
    "in {year}",
    "between {year} and {year2}",
    "over the past decade",
    "in the first quarter",
    "last month",
    "during the pandemic",
    "since the war began",
    "in {month}",
    "before the election",
    "after the ceasefire",
    "within six months",
    "by {year2}",
    "every week",
    "each day",
]
MONTHS = "January February March April May June July August September October November December".split()
CLAIM_TEMPLATES = [
    "{country} {verb} {number} {item} {time}.",
    "{org_cap} {verb} {number} {item} to {country2} {time}.",
    "{measure_cap} in {country} {trend} {time}.",
    "{measure_cap} in {place} {trend} by {percent} percent {time}.",
    "{country} has {pp} more {item} than {country2}.",
    "{country} will receive {number} {item} from {country2} {time}.",
    "Under the current government, {measure} {trend} {time}.",
    "{place} now has fewer {item} than it did in {year}.",
    "{org_cap} says {measure} will {future} {time}.",
    "Every {item_singular} in {country} costs taxpayers {money} a year.",
    "{country} spends more on {spend} than on {spend2}.",
    "No country has {verb} more {item} than {country} {time}.",
    "{country} and {country2} signed a deal for {number} {item} in {month} {year}.",
    "{percent} percent of {people} in {country} support {policy}.",
    "{org_cap} hid {number} {item} from inspectors {time}.",
    "The {role} of {country} {verb} {number} {item} {time}.",
]
PEOPLE = ["voters", "young people", "pensioners", "farmers", "doctors", "teachers", "residents", "migrants"]
POLICIES = [
    "the new tax",
    "the ceasefire",
    "the sanctions",
    "the vaccine mandate",
    "the border wall",
    "the strike",
    "the pension reform",
    "the minimum wage rise",
    "the nuclear deal",
    "leaving the union",
    "the curfew",
]
SPEND = ["defence", "health", "education", "police", "pensions", "foreign aid", "roads", "housing", "energy"]
FUTURE = ["double", "fall", "rise", "stabilise", "collapse", "recover", "halve"]
QUOTE_FRAMES = [
    "{claim}",
    "“{core},” the {role} said.",
    "“{core},” {name} told reporters.",
    "{name} claimed that {lower}",
    "According to {org}, {lower}",
    "In a post on social media, {name} wrote: “{core}.”",
    "“We have the figures: {lower_core},” {name}, the {role}, said on {day}.",
    "Speaking on state TV, {name} said {lower}",
]
ASSESSMENTS = ["incomplete", "disputed", "misread", "accurate", "out of date"]
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
DOMAINS = (
    "dailyherald chronicle-news the-gazette morningpost evening-standard capitaltimes riverside-tribune "
    "national-observer metro-daily the-courier globe-report newsline-today the-sentinel weekly-review "
    "coastal-echo mountain-press valley-voice city-ledger frontier-news continental-post"
).split()


PROPER_NOUNS = frozenset(COUNTRIES) | frozenset(PLACES)

# How a fact-check headline rewords a claim (review_headline): other words, same meaning.
REWORDINGS = {
    "bought": ["purchased", "acquired"],
    "sold": ["exported", "handed over"],
    "delivered": ["shipped", "supplied"],
    "promised": ["pledged", "vowed to provide"],
    "built": ["constructed", "put up"],
    "hired": ["recruited", "took on"],
    "cut": ["slashed", "reduced"],
    "lost": ["shed", "saw the loss of"],
    "created": ["added", "generated"],
    "sent": ["dispatched", "shipped"],
    "received": ["got", "was given"],
    "approved": ["signed off", "authorised"],
    "blocked": ["stopped", "halted"],
    "destroyed": ["wiped out", "demolished"],
    "seized": ["confiscated", "captured"],
    "funded": ["paid for", "financed"],
    "rose": ["increased", "went up", "climbed"],
    "fell": ["declined", "went down", "dropped"],
    "doubled": ["grew twofold", "went up 100 percent"],
    "halved": ["fell by half", "dropped 50 percent"],
    "tripled": ["grew threefold"],
    "jumped": ["surged", "soared"],
    "collapsed": ["plunged", "crashed"],
    "inflation": ["price growth", "the cost of living"],
    "unemployment": ["joblessness", "the jobless rate"],
    "crime": ["offending", "lawbreaking"],
    "wages": ["pay", "salaries"],
    "rents": ["rental costs", "housing rents"],
    "emissions": ["pollution", "greenhouse gases"],
    "turnout": ["voter participation"],
    "spends": ["pays out", "allocates"],
    "says": ["claims", "predicts"],
    "support": ["back", "favour"],
    "signed": ["agreed", "struck"],
    "deal": ["contract", "agreement"],
    "more": ["a larger number of", "extra"],
    "fewer": ["a smaller number of", "less"],
    "costs": ["sets back"],
    "taxpayers": ["the public purse"],
    "percent": ["%"],
    "last": ["the previous"],
    "year": ["twelve months"],
    "since": ["from"],
    "government": ["administration", "cabinet"],
    "hid": ["concealed", "kept secret"],
}
HEADLINE_FRAMES = [
    "No, {statement}",
    "Fact check: {statement}?",
    "Did {statement}? What the figures show",
    "Claim that {statement} is misleading",
    "Viral post says {statement}; here is the evidence",
    "Yes, {statement}",
    "It's not true that {statement}",
]


def _zipf_weights(n: int, s: float = 1.05) -> list[float]:
    return list(accumulate(1 / (rank**s) for rank in range(1, n + 1)))


class TextFactory:
    """Seeded text generator: the same seed gives the same corpus."""

    def __init__(self, seed: int = 0):
        self.random = random.Random(seed)
        self._weights: dict[int, list[float]] = {}

    def pick(self, items):
        weights = self._weights.get(id(items))
        if weights is None or len(weights) != len(items):
            weights = self._weights[id(items)] = _zipf_weights(len(items))
        return self.random.choices(items, cum_weights=weights)[0]

    def number(self) -> str:
        magnitude = self.random.choice([1, 10, 100, 1000, 10_000, 100_000, 1_000_000])
        value = self.random.randint(1, 9) * magnitude + self.random.randint(0, magnitude // 10 or 1)
        return f"{value:,}"

    def person_name(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"

    def _time(self) -> str:
        year = self.random.randint(1995, 2025)
        return self.pick(TIMES).format(year=year, year2=year + self.random.randint(1, 8), month=self.pick(MONTHS))

    def claim(self) -> str:
        country, country2 = self.pick(COUNTRIES), self.pick(COUNTRIES)
        org = self.pick(ORGANISATIONS)
        measure = self.pick(MEASURES)
        item = self.pick(ITEMS)
        text = self.pick(CLAIM_TEMPLATES).format(
            country=country,
            country2=country2 if country2 != country else self.pick(COUNTRIES),
            verb=self.pick(VERBS_PAST),
            pp=self.pick(VERBS_PAST),
            number=self.number(),
            item=item,
            item_singular=item.rstrip("s"),
            time=self._time(),
            org_cap=org[0].upper() + org[1:],
            measure=measure,
            measure_cap=measure[0].upper() + measure[1:],
            trend=self.pick(TRENDS),
            place=self.pick(PLACES),
            percent=self.random.randint(2, 95),
            year=self.random.randint(1995, 2025),
            month=self.pick(MONTHS),
            future=self.pick(FUTURE),
            money=f"${self.number()}",
            spend=self.pick(SPEND),
            spend2=self.pick(SPEND),
            people=self.pick(PEOPLE),
            policy=self.pick(POLICIES),
            role=self.pick(ROLES),
        )
        return text[0].upper() + text[1:]

    def quote(self, claim: str, speaker_name: str | None = None) -> str:
        """How a source might report ``claim``: verbatim, paraphrased into speech, attributed."""
        core = claim.rstrip(".")
        # Sentence case inside a longer sentence, but proper nouns keep their capital.
        first_word = claim.split()[0]
        lower = claim if first_word in PROPER_NOUNS else claim[0].lower() + claim[1:]
        return self.pick(QUOTE_FRAMES).format(
            claim=claim,
            core=core,
            lower=lower,
            lower_core=lower.rstrip("."),
            role=self.pick(ROLES),
            name=speaker_name or self.person_name(),
            org=self.pick(ORGANISATIONS),
            day=self.pick(DAYS),
        )

    def headline(self) -> str:
        claim = self.claim().rstrip(".")
        prefix = self.random.choice(["", "Fact check: ", "Analysis: ", "Explainer: ", "Live: ", ""])
        return f"{prefix}{claim}"

    def review_headline(self, claim: str) -> str:
        """A fact-check's headline for ``claim``: the same statement in other words, as desks write them."""
        words = claim.rstrip(".").split()
        reworded = []
        for word in words:
            options = REWORDINGS.get(word.lower())
            reworded.append(self.random.choice(options) if options and self.random.random() < 0.8 else word)
        statement = " ".join(reworded)
        statement = statement[0].lower() + statement[1:] if words[0] not in PROPER_NOUNS else statement
        return self.random.choice(HEADLINE_FRAMES).format(statement=statement)[:300]

    def organisation_name(self) -> str:
        org = self.pick(ORGANISATIONS).removeprefix("the ").removeprefix("a ")
        return f"{org[0].upper()}{org[1:]} of {self.pick(COUNTRIES)}"

    def outlet(self, index: int) -> tuple[str, str]:
        domain = self.pick(DOMAINS)
        return f"{domain.replace('-', ' ').title()} {index}", f"https://{domain}-{index}.example"

    def explanation(self, claim: str) -> str:
        sentences = [
            f"The claim that {claim[0].lower()}{claim[1:-1]} does not match the official record.",
            f"Figures from {self.pick(ORGANISATIONS)} show {self.pick(MEASURES)} {self.pick(TRENDS)} {self._time()}.",
            f"{self.person_name()}, a {self.pick(ROLES)}, said the numbers were {self.random.choice(ASSESSMENTS)}.",
        ]
        self.random.shuffle(sentences)
        return " ".join(sentences[: self.random.randint(2, 3)])
