"""Published policy versions, the notice pages' data, acceptance of material changes (NO1, NO2).

``versions`` publishes and answers questions about versions; ``registry_rows`` feeds the
record of processing (ROPA) from the personal-data registry.
"""
