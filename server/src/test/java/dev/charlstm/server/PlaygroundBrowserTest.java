package dev.charlstm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.charlstm.runtime.GenerationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground page in a real headless browser (Debian's chromium and chromedriver; {@code .ci/run} installs them
 * and sets {@code CHARLSTM_BROWSER_TESTS=required}, so in CI a missing browser fails instead of skipping).
 */
class PlaygroundBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    static CharLstmServer server;
    static CharLstmServer keyed;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present && "required".equals(System.getenv("CHARLSTM_BROWSER_TESTS"))) {
            throw new AssertionError("CHARLSTM_BROWSER_TESTS=required but " + CHROMIUM + " or " + DRIVER + " is missing"
                    + " (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(present, "no chromium + chromedriver here (apt-get install chromium chromium-driver)");
        CompletionServerTest.start();
        server = CompletionServerTest.started(CompletionServerTest.options(8, 8, 1000, 2_000_000, 2, 60, 0, 10_000));
        keyed = CompletionServerTest.started(
                CompletionServerTest.options(8, 8, 1000, 1000, 2, 60, 0, 10_000).toBuilder()
                        .apiKey("page-key")
                        .build());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (keyed != null) {
            keyed.close();
        }
        if (server != null) {
            server.close();
            CompletionServerTest.stop();
        }
    }

    private static void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    @Test
    void thePageShowsTheModelStreamsTextAndStopStopsIt() throws Exception {
        browser.get("http://127.0.0.1:" + server.port() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> text("info").startsWith("model moby: V="));
        assertTrue(text("info").contains("validation loss"), text("info"));

        type("prompt", "The whale");
        type("temperature", "1");
        type("top_p", "1");
        type("max_tokens", "150");
        type("seed", "11");
        browser.findElement(By.id("generate")).click();
        wait.until(d -> text("status").startsWith("done"));
        String expected = CompletionServerTest.sdkText(
                "The whale",
                GenerationOptions.builder().maxCharacters(150).seed(11).build());
        assertEquals(
                expected,
                browser.findElement(By.id("generated")).getAttribute("textContent"),
                "the page shows exactly the SDK's text");
        assertTrue(text("status").contains("150 characters"), text("status"));

        type("max_tokens", "2000000");
        browser.findElement(By.id("generate")).click();
        wait.until(d -> browser.findElement(By.id("generated"))
                        .getAttribute("textContent")
                        .length()
                > 200);
        browser.findElement(By.id("stop-button")).click();
        wait.until(d -> text("status").startsWith("stopped after"));
        long end = System.currentTimeMillis() + 5000;
        while (server.inFlight() > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertEquals(0, server.inFlight(), "Stop ends the request on the server too");
        String a = browser.findElement(By.id("generated")).getAttribute("textContent");
        Thread.sleep(300);
        assertEquals(a, browser.findElement(By.id("generated")).getAttribute("textContent"), "no more text after Stop");
        assertTrue(a.length() < 2_000_000);
    }

    @Test
    void withAnApiKeyThePageAsksForItThenWorks() throws Exception {
        browser.get(keyed.url() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> browser.findElement(By.id("key-row")).isDisplayed());
        assertTrue(text("info").contains("API key"), text("info"));
        type("api_key", "wrong");
        browser.findElement(By.id("key-button")).click();
        wait.until(d -> text("info").contains("incorrect API key"));
        type("api_key", "page-key");
        browser.findElement(By.id("key-button")).click();
        wait.until(d -> text("info").startsWith("model moby: V="));
        type("prompt", "The sea");
        type("max_tokens", "60");
        type("seed", "5");
        type("temperature", "1");
        type("top_p", "1");
        browser.findElement(By.id("generate")).click();
        wait.until(d -> text("status").startsWith("done"));
        assertEquals(
                CompletionServerTest.sdkText(
                        "The sea",
                        GenerationOptions.builder().maxCharacters(60).seed(5).build()),
                browser.findElement(By.id("generated")).getAttribute("textContent"));
    }
}
