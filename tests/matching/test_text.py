import pytest

from techmarket.matching.services.text import analyse, normalise, query_terms, segment


def test_traditional_characters_fold_to_simplified():
    assert normalise("青海省加強科技開放合作") == "青海省加强科技开放合作"
    assert query_terms("藏醫藥") == query_terms("藏医药")


def test_full_width_and_case_fold():
    assert normalise("ＡＢＣ１２３") == "abc123"


def test_domain_dictionary_keeps_terms_whole():
    assert "盐湖提锂" in segment("开展盐湖提锂技术攻关")
    assert "冬虫夏草" in segment("冬虫夏草人工培育")
    assert "光伏组件" in segment("晶硅光伏组件回收利用")


def test_synonyms_add_their_canonical_term():
    terms = analyse("盐湖卤水综合利用")
    assert "盐湖卤水" in terms and "卤水" in terms
    assert "藏药" in analyse("藏医药标准化")


def test_stopwords_and_punctuation_are_dropped():
    terms = analyse("基于物联网的农业灌溉，以及相关技术。")
    assert "的" not in terms and "，" not in terms and "基于" not in terms
    assert "物联网" in terms and "灌溉" in terms


def test_a_new_process_threads_segment_while_the_vocabulary_loads(monkeypatch):
    """The first requests of a new server process arrive together: one thread loads the vocabulary (adding the
    domain words to the segmenter) while others segment. None may fail, and all cut alike."""
    import threading

    from techmarket.matching.services import text

    monkeypatch.setattr(text, "_VOCABULARY", None)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def cut():
        barrier.wait()
        try:
            results.append(tuple(text.segment("盐湖卤水提锂与高原藏药材种植")))
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(repr(error))

    threads = [threading.Thread(target=cut) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 8 and len(set(results)) == 1 and "盐湖卤水" in results[0]


def test_a_text_is_about_the_concepts_it_names_however_the_segmenter_cuts_it():
    """concepts_in reads the text as written: a word of a concept counts however the segmenter cuts the text
    (多房棘球蚴 is no segment of it), and a text naming none of a concept's words is not about it."""
    from techmarket.matching.services.text import concepts_in, vocabulary

    text = "多房棘球蚴终末宿主犬疫苗的开发"
    about = concepts_in(text)
    assert "包虫病" in about and "多房棘球蚴" not in segment(text)
    assert "中药材" in concepts_in("唐古特大黄人工种植基地") and "中药材" not in about
    assert concepts_in("") == []
    assert len(about) >= 2 and about == [c for c in vocabulary().concepts if c in about]  # the file's order


def test_the_concepts_file_refuses_words_no_text_would_hold():
    """Every word of data/matching/concepts.yaml is 2–12 characters without spaces; a concept has 2–40 words and a
    name of its own."""
    from techmarket.common.datafiles import DataFileError, load
    from techmarket.matching.services.text import Concepts

    assert load(Concepts, {"concepts": [{"name": "中药材", "terms": ["大黄", "当归"]}]}, "concepts.yaml")
    for bad in ({"name": "药", "terms": ["大黄", "当归"]}, {"name": "中药材", "terms": ["大 黄", "当归"]},
                {"name": "中药材", "terms": ["大黄"]}, {"name": "中药材", "terms": ["大黄", "当归"], "note": "x"}):
        with pytest.raises(DataFileError):
            load(Concepts, {"concepts": [bad]}, "concepts.yaml")
    twice = {"name": "中药材", "terms": ["黄芪", "党参"]}
    with pytest.raises(DataFileError, match="unique"):
        load(Concepts, {"concepts": [{"name": "中药材", "terms": ["大黄", "当归"]}, twice]}, "concepts.yaml")
