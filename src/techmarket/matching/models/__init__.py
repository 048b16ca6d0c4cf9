from techmarket.matching.models.index import IndexState, SearchDocument
from techmarket.matching.models.institutions import InstitutionProfile
from techmarket.matching.models.intents import CooperationIntent, IntentAction

__all__ = ["CooperationIntent", "IndexState", "InstitutionProfile", "IntentAction", "SearchDocument"]
