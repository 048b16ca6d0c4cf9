"""What the seed compilation (data/seed/) holds, in one place: tests that count seed listings use these, so a
corrected seed changes one file. Every seed listing is published on import."""

BY_KIND = {"demand": 118, "offer": 30, "platform": 20, "talent": 9}
LISTINGS = sum(BY_KIND.values())  # 177
OFFERS = BY_KIND["offer"]
DEMANDS = BY_KIND["demand"]
TALENT = BY_KIND["talent"]
# Items the compilation's section headings declare (its printed totals), by section.
DECLARED = {"innovation": 148, "talent": 9}
BY_SECTION = {"platform": 20, "innovation/hightech": 80, "innovation/agriculture": 35, "innovation/social": 33,
              "talent": 9}
