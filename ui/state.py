"""Every st.session_state key the pages and ui use, named once: constants, and small functions for keyed families.

Widget keys are named here too where their value is read back from st.session_state; a widget whose value is
only taken from its return keeps its key at the call.
"""

# --- the whole app
LANG = "lang"                       # the chosen language ('ko' or 'en'); the sidebar's language widget
LANG_IN_URL = "_lang_in_url"        # the language last written to ?lang=, to tell an edited address bar
LECTURE = "lecture"                 # lecture mode on (the sidebar toggle, bound to ?lecture=)
ANSWERS = "answers"                 # 'show all answers' (the sidebar toggle, bound to ?answers=)
RUNS = "runs"                       # this session's finished, stopped or diverged runs (runs.Run), oldest first


def question(key):
    """The answer widget of a predict-then-reveal question, keyed by its concept (never by its settings).

    Beside it: question(key) + "_at" (("answered" | "revealed", settings) once committed) and + "_locked".
    """
    return f"quiz_{key}"


# --- training jobs (a page's prefix: 'train_numpy', 'keras', or 'memory')
def job(prefix):
    """This session's latest job on a page (ui.jobs.SessionJob)."""
    return f"{prefix}_job"


def owner(prefix):
    """This session's owner name for the worker's jobs of a page (one slot per owner)."""
    return f"{prefix}_owner"


def job_count(prefix):
    """How many jobs this session started on a page (their names: kind-1, kind-2, ...)."""
    return f"{prefix}_count"


# --- pages
SEQUENCES_CELLS = "sequences_cells"         # n_c of the word-order models (widget)
SEQUENCES_SEED = "sequences_seed"           # their seed (widget)
SEQUENCES_NOISE = "sequences_noise"         # the temperature series' noise (widget)
PIPELINE_NUM_WORDS = "pipeline_num_words"   # num_words of the pipeline page (widget)
PIPELINE_SKIP_TOP = "pipeline_skip_top"     # skip_top of the pipeline page (widget)
UNROLLING_STEP = "unrolling_step"           # the current time step (the step slider, bound to ?unrolling_step=)
UNROLLING_PLAYING = "unrolling_playing"     # True while the steps play by themselves
UNROLLING_CLOCK = "_unrolling_clock"        # (time.monotonic(), step) when Play started or the slider moved
UNROLLING_STEPS = "_unrolling_steps"        # how many steps the review shown has
UNROLLING_PICK = "unrolling_pick"           # the review: a curated pick, 'number' or 'own' (widget)
UNROLLING_REVIEW = "unrolling_review"       # the validation review's number when picked by number (widget)
KERAS_COMPARE = "keras_compare"             # (y, p_numpy, p_keras) of the last NumPy <-> Keras comparison
KERAS_COMPARE_KEY = "keras_compare_key"     # the run it was computed for: (name, created, kind)
TRY_REVIEW_TEXT = "try_review_text"         # the review typed or picked on the try-a-review page (widget)
SELF_CHECK = "self_check"                   # section -> {"round", "items", "checked"}
SELF_CHECK_SCORES = "self_check_scores"     # section -> (right, total), shown on the home page
SELF_CHECK_MISSED = "self_check_missed"     # section -> templates to ask first next time


def self_check_answer(section, number, i):
    """The answer widget of question i of round `number` of a self-check section."""
    return f"self_check_{section}_{number}_{i}"
