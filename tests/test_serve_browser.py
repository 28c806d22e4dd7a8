"""The reviewer's desk end to end in headless Chromium (Debian ``chromium`` driven through
``chromium-driver`` by Selenium; no browser download): log in, upload Lakeville, review,
accept a requirement with a note, see the reviewer's verdict change, open the letter and
download it as DOCX (opened with python-docx). Set POLICYDIFF_UPDATE_SCREENSHOT=1 to save
the queue, review page and letter to docs/serve-*.png.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bench.serve_client import ROOT, Server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
TOKEN = "browser-token-" + "y" * 16
LAKEVILLE = ROOT / "corpus" / "lakeville-pd-417.txt"

if not CHROMIUM.exists() or not DRIVER.exists():
    pytest.skip(
        "needs /usr/bin/chromium and /usr/bin/chromedriver: "
        "apt-get install -y chromium chromium-driver",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.common.by import By  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    srv = Server(tmp_path_factory.mktemp("browser") / "data", token=TOKEN, workers=1).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        "--disable-background-networking",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=webdriver.ChromeService(str(DRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    yield driver
    driver.quit()


def shot(driver: Any, name: str, tmp: Path) -> Path:
    target = ROOT / "docs" if os.environ.get("POLICYDIFF_UPDATE_SCREENSHOT") else tmp
    path = target / f"serve-{name}.png"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(int(height), 900), 2400))
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1600)
    assert path.stat().st_size > 10_000
    return path


def wait_for(driver: Any, css: str, text: str | None = None, timeout: float = 90) -> Any:
    """The first element matching ``css`` (whose text is ``text``, if given) once the page
    that shows it has loaded; pages replaced meanwhile (a form post, a refresh) are retried."""
    from selenium.common.exceptions import StaleElementReferenceException

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = driver.find_elements(By.CSS_SELECTOR, css)
            if found and (text is None or found[0].text == text):
                return found[0]
        except StaleElementReferenceException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{css} ({text}) did not appear on {driver.current_url}")


def test_upload_review_decide_and_download_the_letter(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    from docx import Document

    browser.get(server.url + "/")
    assert "/login" in browser.current_url
    browser.find_element(By.NAME, "token").send_keys(TOKEN)
    browser.find_element(By.NAME, "reviewer").send_keys("J. Rivera")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(browser, "h1", "Submissions")

    browser.get(server.url + "/upload")
    browser.find_element(By.NAME, "file").send_keys(str(LAKEVILLE))
    browser.find_element(By.NAME, "agency").send_keys("Lakeville Police Department")
    browser.find_element(By.CSS_SELECTOR, "#upload-form button").click()
    for name in ("hutchinson-pd-1003.txt", "alexandria-pd-436.txt"):  # a fuller queue
        agency = f"{name.split('-')[0].title()} Police Department"
        server.upload(name, (ROOT / "corpus" / name).read_bytes(), agency=agency)
    wait_for(browser, "#reviewer-verdict", "Pending review")
    sid = browser.current_url.rstrip("/").rsplit("/", 1)[-1]

    item = browser.find_element(By.ID, "p-r-R07-public-notification")
    assert "missing" in item.text or "needs-review" in item.text
    assert "nearest text, not a match" in item.text
    item.find_element(By.NAME, "note").send_keys("No notification process <b>at all</b>")
    item.find_element(By.CSS_SELECTOR, "button.accept").click()
    wait_for(browser, "#reviewer-verdict", "Not substantially similar")
    item = browser.find_element(By.ID, "p-r-R07-public-notification")
    assert "accept by J. Rivera" in item.text
    assert "No notification process <b>at all</b>" in item.text  # shown as text, not markup
    browser.get(f"{server.url}/submissions/{sid}")
    shot(browser, "review", tmp_path)

    browser.get(server.url + "/")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    row = next(r for r in rows if "Lakeville Police Department" in r.text)
    assert "J. Rivera (1)" in row.text and "Not substantially similar" in row.text
    shot(browser, "queue", tmp_path)

    browser.get(f"{server.url}/submissions/{sid}/letter")
    letter = browser.find_element(By.CSS_SELECTOR, "article.letter").text
    assert "Minn. Stat. 626.8482, subd. 5(b)(1)" in letter
    assert "(page 1, line 25)" in letter
    shot(browser, "letter", tmp_path)

    browser.find_element(By.LINK_TEXT, "Word (DOCX)").click()
    target = browser.downloads / f"deficiency-letter-{sid}.docx"
    deadline = time.monotonic() + 30
    # Chromium may create the file before it has finished writing it: wait for a whole zip.
    while not (target.exists() and zipfile.is_zipfile(target)) and time.monotonic() < deadline:
        time.sleep(0.2)
    doc = Document(io.BytesIO(target.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "626.8482" in text and "No notification process <b>at all</b>" in text
    assert "The Lakeville Police Department will work with impacted schools" in text
