from techmarket.catalogue.models import Listing
from collections import Counter

def test_scratch(qinghai_university, db):
    qs = Listing.objects.all()
    print(qs.count(), Counter(qs.values_list("status", flat=True)), Counter(qs.values_list("kind", flat=True)))
    print([ (l.reference, l.title[:20], l.valid_until, l.grade, l.field_id) for l in qs.filter(owner=qinghai_university)])
    print(qs.filter(modes__isnull=True).count(), Counter(qs.filter(modes__isnull=True).values_list("kind", flat=True)))
    print(list(qs.values_list("reference", flat=True)[:5]))
    assert 0
