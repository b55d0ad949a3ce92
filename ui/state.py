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
ACCESS = "access"                   # what the accessibility component reports (reduced_motion), its widget key
KEPT_FOR = "_kept_for"              # whose kept answers, scores and runs this session loaded (ui/keep.py)
PARAMS_IGNORED = "_params_ignored"  # URL parameters refused on this load, said once (ui/params.py)
SHOWN_THIS_RUN = "_shown_this_run"  # the notes ui/params.py showed during this run
KEPT = "_kept"                      # what was last written to the store: {"answers", "scores", "review"}
KEPT_RUNS = "_kept_runs"            # (name, created) of the runs already in the store


def question(key):
    """The answer widget of a predict-then-reveal question, keyed by its concept (never by its settings)."""
    return f"quiz_{key}"


def question_at(key):
    """("answered" | "revealed", the settings then) once question `key` was committed to; None before."""
    return f"quiz_{key}_at"


def question_locked(key):
    """True while question `key`'s answer may no longer change (from the run after it was committed)."""
    return f"quiz_{key}_locked"


def announced(key):
    """(topic, text, when) a screen reader was last given by the live region `key` (ui.layout.announce)."""
    return f"_announced_{key}"


# --- a class session (ui/classroom.py, pages/class_session.py)
CLASS_ROOM = "class_room"           # the room code this browser is in (?room=)
CLASS_ME = "class_me"               # a student's stable voter id in the room (?me=)
CLASS_SECRET = "class_secret"       # the lecturer's secret of the room (?host=); only the lecturer has it
CLASS_NOTE = "class_note"           # a note for the class page's next run: "store_down", "bad_host", "no_room"
CLASS_SHOW_LINK = "class_show_link"  # show the lecturer's own link once, right after opening the room
CLASS_PAGE = "class_page"           # the page this browser last told the room it is on
CLASS_ANSWERS = "class_answers"     # question key -> (option, its label): votes the banner still has to send
CLASS_PAGE_NOW = "class_page_now"   # the page being drawn in this run (its questions are "here")
CLASS_PAGE_RUNS = "_class_page_runs"   # how many page runs drew the banner (a fragment run is not one)
CLASS_BOX = "_class_box_"            # + question key: (page run, what the page run's box returned)
CLASS_RUN = "_class_run"            # "page" or "fragment": what kind of run is drawing now
CLASS_SEEN = "class_seen"           # the room as the page was drawn with (poll.room_view)
CLASS_BOXES = "class_boxes"         # page -> {question key: its box's key}: the questions drawn there (a reveal
#                                     reruns the page) and where the page's poll sees their answers
CLASS_POLL = "class_poll"           # the student's page's look at the room (a component: it reruns the banner)
CLASS_FOLLOW = "class_follow"       # follow the lecturer from page to page (the banner's toggle)
CLASS_SENT = "class_sent"           # the votes this browser sent: question -> what it sent
CLASS_COUNT_DRAWN = "class_count_drawn"   # (votes counted, when) of the lecturer's last drawn count
CLASS_CODE_TYPED = "class_code_typed"     # the room code typed on the class page (widget)


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
UNROLLING_SHOWN = "_unrolling_shown"        # the steps drawn since Play started
UNROLLING_ECHO = "_unrolling_echo"          # (step, stale steps, when redrawn) after Play stops (stopping())
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
