"""opencertif: the open platform of the French professional-certification information system."""
