"""DFC names: the wire names we emit, the other names we accept, and the inverse properties.

Rule (WIRE-FORMAT §2.0): emit the names that connectors, OFN and the FDC app put on the wire;
accept the OWL 1.16 names, legacy names and known upstream typos beside them on import. The tests
check every table here against the 1.16 ontology.
"""

from __future__ import annotations

#: wire names that are not OWL 1.16 terms -> the OWL term with that meaning (None: no OWL term)
WIRE_ONLY: dict[str, str | None] = {
    "dfc-b:hasStreet": "dfc-b:street",
    "dfc-b:hasPostalCode": "dfc-b:postcode",
    "dfc-b:hasCity": "dfc-b:city",
    "dfc-b:hasDescription": "dfc-b:description",
    "dfc-b:offeredItem": None,
    "dfc-b:offeredTo": "dfc-b:offersTo",
    "dfc-b:beginDate": "dfc-b:startDate",
    "dfc-b:image": None,
    "dfc-b:totalTheoreticalStock": None,
    "dfc-b:alcoholPercentage": "dfc-b:hasPercentageOfAlcoholByVolume",
    "dfc-b:usageOrStorageCondition": "dfc-b:specificCondition",
    "dfc-b:hasIncome": "dfc-b:hasInput",
    "dfc-b:hasOutcome": "dfc-b:hasOutput",
}

#: names accepted on import -> the wire name we read (whatever the node's class)
PROPERTY_ALIASES: dict[str, str] = {
    "dfc-b:street": "dfc-b:hasStreet",
    "dfc-b:postcode": "dfc-b:hasPostalCode",
    "dfc-b:city": "dfc-b:hasCity",
    "dfc-b:offersTo": "dfc-b:offeredTo",
    "dfc-b:hasInput": "dfc-b:hasIncome",
    "dfc-b:hasOutput": "dfc-b:hasOutcome",
    "dfc-b:totalTheoriticalStock": "dfc-b:totalTheoreticalStock",
    "dfc-b:hasPercentageOfAlcoholByVolume": "dfc-b:alcoholPercentage",
    "dfc-b:specificCondition": "dfc-b:usageOrStorageCondition",
    "dfc-b:hasAdress": "dfc-b:hasAddress",  # DFC 1.9 practical example
    "dfc-p:hasType": "dfc-b:hasType",  # contexts <= 1.7 (ProductOntology)
    "dfc-p:hasUnit": "dfc-b:hasUnit",
}

#: class names accepted on import -> the 1.16 class (v2 ``Organization`` is our Enterprise)
CLASS_ALIASES: dict[str, str] = {
    "dfc-b:Organization": "dfc-b:Enterprise",
    "dfc-b:Entreprise": "dfc-b:Enterprise",
    "dfc-b:QuantitiveValue": "dfc-b:QuantitativeValue",
    "dfc-b:Quantity": "dfc-b:QuantitativeValue",
    "dfc-b:PickUpOption": "dfc-b:PickupOption",
    "dfc-b:TheoriticalStock": "dfc-b:TheoreticalStock",
}

#: inverse object properties (owl:inverseOf in 1.16); import states each link on both sides
INVERSES: dict[str, str] = {
    "dfc-b:hasPart": "dfc-b:partOf",
    "dfc-b:belongsTo": "dfc-b:holds",
    "dfc-b:concerns": "dfc-b:concernedBy",
    "dfc-b:hasAddress": "dfc-b:addressOf",
    "dfc-b:hasMainContact": "dfc-b:mainContactOf",
    "dfc-b:hasOption": "dfc-b:optionOf",
    "dfc-b:hasVariant": "dfc-b:isVariantOf",
    "dfc-b:listedIn": "dfc-b:lists",
    "dfc-b:managedBy": "dfc-b:manages",
    "dfc-b:offeredThrough": "dfc-b:offers",
    "dfc-b:orderedBy": "dfc-b:orders",
    "dfc-b:referencedBy": "dfc-b:references",
    "dfc-b:selects": "dfc-b:selectedBy",
    "dfc-b:sells": "dfc-b:soldBy",
    "dfc-b:suppliedBy": "dfc-b:supplies",
    "dfc-b:affiliatedTo": "dfc-b:affiliates",
}
INVERSES.update({b: a for a, b in list(INVERSES.items())})

#: properties that link to nodes although the contexts do not mark them ``@id``: a string value
#: there is read as a reference, not as a literal (WIRE-FORMAT §1.3)
LINKS_NOT_ID_TYPED: frozenset[str] = frozenset(
    {
        "dfc-b:offeredItem",
        "dfc-b:offeredTo",
        "dfc-b:affiliatedBy",
        "dfc-b:hasIncome",
        "dfc-b:hasOutcome",
    }
)
