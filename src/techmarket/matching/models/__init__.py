from techmarket.matching.models.index import IndexState, SearchDocument
from techmarket.matching.models.institutions import InstitutionProfile

__all__ = ["IndexState", "InstitutionProfile", "SearchDocument"]
