package dev.caravan.dashboard;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.util.FileSystemUtils;

/**
 * Headless Debian Chromium for the dashboard's browser tests, one per test class. Skips the class when
 * {@code chromium} or {@code chromium-driver} is not installed; saves a screenshot per scenario in
 * {@code target/screenshots/} and prints the browser's console errors when a scenario fails. Never touches the
 * network: the driver is the Debian one, so Selenium Manager is not asked for one.
 */
public final class Browser implements BeforeAllCallback, AfterEachCallback, AfterAllCallback, TestWatcher,
        AutoCloseable {

    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private ChromeDriver driver;
    private ChromeDriverService service;
    private Path profile;

    /** Skips the calling test when Debian's chromium and chromium-driver are missing. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "): apt-get install -y chromium chromium-driver");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeInstalled();
        start();
    }

    /** Starts Chromium; a browser started here is ended by {@link #quit()}. */
    public ChromeDriver start() throws IOException {
        System.setProperty("SE_AVOID_STATS", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("caravan-chromium-");
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .withEnvironment(Map.of("SE_AVOID_STATS", "true"))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Without the background-networking flags Chromium's connections are refused many at a time on a closed network.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    public ChromeDriver driver() {
        return driver;
    }

    public WebDriverWait waitUpTo(Duration timeout) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    /** The element with this data-testid, once it is present. */
    public WebElement testId(String id) {
        return waitUpTo(Duration.ofSeconds(10)).withMessage("no [data-testid=" + id + "] on " + driver.getCurrentUrl())
                .until(d -> d.findElements(byTestId(id)).stream().findFirst().orElse(null));
    }

    public static By byTestId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Saves what the page shows now to {@code target/screenshots/<name>.png}. */
    public void screenshot(String name) {
        if (driver == null) {
            return;
        }
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            System.err.println("no screenshot " + name + ": " + e.getMessage());
        }
    }

    /** The browser's console messages at level SEVERE since the last call. */
    public List<String> consoleErrors() {
        List<String> errors = new ArrayList<>();
        try {
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(entry.getMessage());
                }
            }
        } catch (RuntimeException e) {
            errors.add("(console not readable: " + e.getMessage() + ")");
        }
        return errors;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        screenshot(context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName());
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (driver == null) {
            return;
        }
        System.err.println("Browser at " + driver.getCurrentUrl() + " when " + context.getDisplayName() + " failed;"
                + " console errors: " + String.join("\n  ", consoleErrors()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        quit();
    }

    @Override
    public void close() {
        quit();
    }

    /** Ends the browser and its driver, if started; safe to call twice. */
    public void quit() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
        if (service != null) {
            service.stop();
            service = null;
        }
        if (profile != null) {
            FileSystemUtils.deleteRecursively(profile.toFile());
            profile = null;
        }
    }
}
