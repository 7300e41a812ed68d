"""End-to-end test of the demo in a real browser: Debian's headless chromium over WebDriver.

Usage: python3 Tests/Browser/demo_flow.py http://127.0.0.1:PORT
Signs in through the form, sees the welcome flash once, reloads, signs out.
"""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def wait_for_url(browser, url: str) -> None:
    """A click returns before the navigation it starts has finished: wait for the new page."""
    WebDriverWait(browser, 15).until(expected_conditions.url_to_be(url), f"expected {url}, at {browser.current_url}")


def main(base: str) -> None:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(30)
    try:
        browser.get(f"{base}/")
        assert not browser.get_cookies(), f"the public page set a cookie: {browser.get_cookies()}"

        browser.get(f"{base}/login")
        cookie = browser.get_cookie("swift_session")
        assert cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Lax", f"unexpected cookie {cookie}"
        browser.find_element(By.ID, "username").send_keys("ada")
        browser.find_element(By.ID, "password").send_keys("secret")
        browser.find_element(By.ID, "sign-in").click()

        wait_for_url(browser, f"{base}/dashboard")
        page = browser.find_element(By.TAG_NAME, "body").text
        assert "Signed in as ada" in page, page
        assert "Welcome, ada!" in page, page
        assert browser.get_cookie("swift_session")["value"] != cookie["value"], "login did not regenerate the ID"

        browser.refresh()
        page = browser.find_element(By.TAG_NAME, "body").text
        assert "Signed in as ada" in page, page
        assert "Welcome, ada!" not in page, "the flash message showed twice"

        browser.find_element(By.ID, "sign-out").click()
        wait_for_url(browser, f"{base}/login")
        assert "Signed out" in browser.find_element(By.ID, "flash").text

        browser.get(f"{base}/dashboard")
        wait_for_url(browser, f"{base}/login")
        assert "Please sign in first" in browser.find_element(By.ID, "flash").text, "still signed in after signing out"
        print("browser flow passed")
    finally:
        browser.quit()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
