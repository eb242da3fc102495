"""Pages of the privacy engine: the notice and its versions, the record of processing, the
reads of a person's sensitive data, disclosures to authorities and reports of children."""
