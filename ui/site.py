"""The app's pages: file, URL, icon, navigation section and the lecture section each one teaches."""
from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    key: str        # also the name of its text files: locales/<lang>/<key>.toml
    path: str       # relative to the app's root
    icon: str
    section: str    # navigation group, a key of locales/<lang>/common.toml [sections]
    lecture: str    # the lecture section it follows, e.g. "6.1"
    uses_tensorflow: bool = False
    shows_reviews: bool = True    # False: the page uses no review data, so it has no data source to name


PAGES = [
    PageInfo("home", "pages/home.py", ":material/home:", "start", ""),
    PageInfo("class_session", "pages/class_session.py", ":material/groups:", "start", "", shows_reviews=False),
    PageInfo("sequences", "pages/sequences.py", ":material/timeline:", "concepts", "6.1"),
    PageInfo("pipeline", "pages/pipeline.py", ":material/dataset:", "concepts", "6.3"),
    PageInfo("unrolling", "pages/unrolling.py", ":material/replay:", "concepts", "6.1"),
    PageInfo("gradflow", "pages/gradflow.py", ":material/trending_down:", "concepts", "6.2"),
    PageInfo("memory", "pages/memory.py", ":material/psychology:", "concepts", "6.2–6.4", shows_reviews=False),
    PageInfo("self_check", "pages/self_check.py", ":material/quiz:", "concepts", "6.1–6.4", shows_reviews=False),
    PageInfo("train_numpy", "pages/train_numpy.py", ":material/model_training:", "training", "6.3"),
    PageInfo("keras", "pages/keras.py", ":material/hub:", "training", "6.4", uses_tensorflow=True),
    PageInfo("try_review", "pages/try_review.py", ":material/rate_review:", "training", "6.3, 6.4"),
]
