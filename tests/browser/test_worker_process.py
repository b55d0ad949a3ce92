"""The real server trains a small Keras model from the Keras page, and TensorFlow stays out of its process.

AppTest runs pages inside the test process, so it cannot show this: here `streamlit run` serves the app,
Chromium presses Start, and /proc/<pid>/maps tells which libraries the server and its worker have loaded.
"""
import time

from tests.browser import harness
from tests.browser.conftest import SHOTS
from ui import i18n

TENSORFLOW = ("libtensorflow", "_pywrap_tensorflow")


_keyed = harness.keyed


def test_keras_training_runs_in_the_worker_and_tensorflow_never_enters_the_server(browser):
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    texts = i18n.table("en", "keras")
    with harness.streamlit_server() as (base, proc):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        harness.open_page(page, base, "keras", "en", timeout=240)  # the worker starts and imports TensorFlow
        assert not harness.exceptions(page)
        assert page.get_by_text("4,256 + 33 = 4,289").count() > 0        # Keras's parameter count, from the worker
        for key in ("keras_n_train", "keras_n_val"):
            _keyed(page, key, "input").focus()
            _keyed(page, key, "input").press("Home")                       # the fewest reviews
            harness.wait_idle(page)
        epochs = _keyed(page, "keras_epochs_keras_a", "input")
        epochs.fill("1")
        epochs.press("Enter")
        harness.wait_idle(page)
        _keyed(page, "keras_start", "button").click()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            page.wait_for_timeout(1000)
            if page.get_by_text(texts["status.finished"].split("{")[0].strip()).count():
                break
        else:
            raise AssertionError("the Keras run did not finish")
        harness.wait_idle(page)
        harness.screenshot(page, SHOTS / "keras-trained-en.png")
        assert not harness.exceptions(page)
        assert page.get_by_text(texts["metric.evaluate_accuracy"]).count() > 0

        server = harness.maps(proc.pid)
        status = dict(line.split(":", 1) for line in open(f"/proc/{proc.pid}/status").read().splitlines())
        assert not [name for name in TENSORFLOW if name in server], "TensorFlow is loaded in the server process"
        workers = harness.children(proc.pid)
        assert len(workers) == 1, workers
        assert all(name in harness.maps(workers[0]) for name in TENSORFLOW), "the worker should hold TensorFlow"
        print(f"server {proc.pid}: VmRSS {status['VmRSS'].strip()}, VmHWM {status['VmHWM'].strip()}; "
              f"worker {workers[0]}")
        page.close()
