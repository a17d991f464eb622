package dev.caravan.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.springframework.core.env.Environment;

import dev.caravan.storage.S3Location;
import dev.caravan.testutil.CaravanInstance;
import dev.caravan.testutil.CaravanTestProperties;
import dev.caravan.testutil.MnistUploads;

/**
 * The dashboard as a person uses it, in headless Chromium against one real Caravan: an upload appears in the runs
 * list and its steps complete live, its evaluation shows, the training curve grows, a drawn digit is recognised, and
 * a rollback needs the API token. The scenarios build on each other (the first run serves version 1, a resubmit
 * version 2), so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardTest {

    static final String TOKEN = "dashboard-test-token-0123456789";
    static final List<String> STEPS = List.of("prepare", "validateData", "tensorboard", "train", "evaluate", "promote",
            "smokeTest");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    @RegisterExtension
    static final Browser browser = new Browser();

    private static CaravanInstance caravan;
    private static CaravanApi api;
    private static String base;
    private static String firstRun;
    private static String secondRun;

    @BeforeAll
    static void startCaravan() {
        Path home = CaravanTestProperties.newHome();
        // Gate and tolerance low enough that both runs promote: the scenarios are about the dashboard, not the gate.
        caravan = CaravanInstance.start(home, "--caravan.api.token=" + TOKEN,
                "--caravan.pipelines.mnist.trainer.parameters.trainSteps=300",
                "--caravan.pipelines.mnist.trainer.parameters.batchSize=50",
                "--caravan.pipelines.mnist.gate.min=0.85", "--caravan.pipelines.mnist.gate.tolerance=1",
                "--caravan.pipelines.mnist.trainer.timeout=5m");
        base = "http://127.0.0.1:" + caravan.bean(Environment.class).getProperty("local.server.port") + "/";
        api = new CaravanApi(base, TOKEN);
    }

    @AfterAll
    static void stopCaravan() {
        // The browser first: an open event stream would hold Caravan's graceful shutdown for its 30 s.
        browser.quit();
        if (caravan != null) {
            caravan.close();
        }
    }

    @Test
    @Order(1)
    void anUploadAppearsInTheRunsListAndItsStepsCompleteOneByOne() {
        // given: the runs list open and empty
        open("#/runs");
        browser.testId("runs-table");
        assertThat(driver().findElements(By.cssSelector("tr[data-run]"))).isEmpty();

        // when: MNIST is uploaded to the embedded bucket
        S3Location data = S3Location.parse("s3://tfmnist/data/mnist/");
        MnistUploads.uploadAll(caravan.store(), data);
        MnistUploads.marker(caravan.store(), data);

        // then: its row appears without a reload
        // (the list redraws its rows as events come, so the row is read where it is found)
        firstRun = browser.waitUpTo(Duration.ofMinutes(1)).withMessage("no tr[data-run] appeared in the runs list")
                .until(d -> d.findElements(By.cssSelector("[data-testid='runs-table'] tr[data-run]")).stream()
                        .findFirst().map(row -> row.getAttribute("data-run")).orElse(null));
        assertThat(caravan.runs()).extracting(r -> r.name()).contains(firstRun);

        // and its page, open beside the list, shows the steps complete one by one
        String listWindow = driver().getWindowHandle();
        driver().switchTo().newWindow(WindowType.WINDOW);
        List<RunPageRecorder.Seen> seen = watchUntilAllStepsCompleted(firstRun);
        assertThat(seen.get(seen.size() - 1).steps()).as("the steps at the end")
                .isEqualTo(String.join(" ", STEPS.stream().map(s -> s + "=COMPLETED").toList()));
        assertThat(seen).as("the step list while the run went (every change seen)")
                .anySatisfy(state -> assertThat(startedWithLaterPending(state)).as(state.steps()).isTrue());
        assertThat(seen.stream().map(s -> s.steps().split("=COMPLETED", -1).length - 1).distinct().count())
                .as("how many different counts of completed steps were shown: %s", seen).isGreaterThanOrEqualTo(3);
        browser.screenshot("DashboardTest-runPageCompleted");
        driver().close();
        driver().switchTo().window(listWindow);

        // and the list's row says how the run ended, still without a reload
        browser.waitUpTo(Duration.ofSeconds(30)).withMessage("the row of " + firstRun + " did not say PROMOTED")
                .until(d -> statusCell(firstRun).toUpperCase(Locale.ROOT).matches(".*(PROMOTED|COMPLETED).*"));
        assertThat(api.run(firstRun).path("outcome").asText()).isEqualTo("PROMOTED");
    }

    @Test
    @Order(2)
    void theRunPageShowsHowTheModelWasJudged() {
        JsonNode evaluation = api.get("api/runs/" + firstRun() + "/evaluation");
        String reason = evaluation.path("gate").path("reason").asText().trim();

        open("#/runs/" + firstRun);

        // (elements are looked up afresh in each poll: the page may redraw them)
        browser.waitUpTo(Duration.ofSeconds(15)).withMessage(() -> "the evaluation shows '" + text("evaluation")
                        + "', not the verdict PASSED and the gate's reason '" + reason + "'")
                .until(d -> text("evaluation").contains("PASSED") && text("evaluation").contains(reason));
        browser.waitUpTo(Duration.ofSeconds(15)).withMessage("no confusion matrix drawn")
                .until(d -> browser.testId("confusion").isDisplayed()
                        && !browser.testId("confusion").findElements(By.cssSelector("canvas, svg, table")).isEmpty());
        int misclassified = evaluation.path("misclassified").size();
        assertThat(misclassified).as("misclassified images the API gives").isPositive();
        List<String> images = browser.waitUpTo(Duration.ofSeconds(10))
                .withMessage("the misclassified strip does not show the " + misclassified + " images")
                .until(d -> {
                    List<String> shown = browser.testId("misclassified").findElements(By.tagName("img")).stream()
                            .map(img -> img.getAttribute("src")).toList();
                    return shown.size() == misclassified ? shown : null;
                });
        assertThat(images).allSatisfy(src -> assertThat(src).startsWith("data:image/png"));
    }

    @Test
    @Order(3)
    void aDrawnSevenIsRecognisedByTheServingModel() {
        open("#/try");
        WebElement canvas = browser.testId("digit-canvas");

        drawSeven(canvas);
        browser.testId("try-predict").click();

        // a predict is a POST: the page asks for the token the first time
        browser.waitUpTo(Duration.ofSeconds(20)).withMessage("neither a token dialog nor a digit in try-answer")
                .until(d -> tokenDialogOpen() || text("try-answer").trim().matches("\\d"));
        if (tokenDialogOpen()) {
            enterToken(TOKEN);
        }
        browser.waitUpTo(Duration.ofSeconds(20)).withMessage(() -> "try-answer showed no digit but '"
                + text("try-answer") + "'; problem: " + problemText()).until(d -> text("try-answer").trim().matches("\\d"));
        assertThat(text("try-answer").trim()).as("the digit the model read").isEqualTo("7");
        browser.waitUpTo(Duration.ofSeconds(10)).withMessage("try-version stayed empty")
                .until(d -> !text("try-version").isBlank());
        assertThat(text("try-version")).as("the version that answered").isNotBlank()
                .contains(String.valueOf(api.servingVersion("mnist")));
    }

    @Test
    @Order(4)
    void theRunPageDrawsTheTrainingCurveAsItGrows() {
        // given: a second run of the same data with other settings, asked for through the API
        secondRun = api.resubmit(firstRun(), Map.of("trainSteps", "250"));
        assertThat(secondRun).isNotBlank().isNotEqualTo(firstRun);

        // when: its page is open while it trains
        List<RunPageRecorder.Seen> seen = watchUntilAllStepsCompleted(secondRun);

        // then: the curve's point count grew while the page was open
        List<Long> counts = seen.stream().map(RunPageRecorder.Seen::pointCount).filter(n -> n > 0).distinct().toList();
        assertThat(counts).as("the curve's data-points as the page showed them: %s", seen).hasSizeGreaterThanOrEqualTo(2);
        assertThat(counts).as("data-points only grows").isSorted();
        await().atMost(RUN_TIMEOUT).until(() -> !api.run(secondRun).path("endedAt").isNull());
        assertThat(api.run(secondRun).path("outcome").asText()).isEqualTo("PROMOTED");
    }

    @Test
    @Order(5)
    void anActionWithAWrongTokenIsRefusedAndSaysWhy() {
        assertThat(api.servingVersion("mnist")).isEqualTo(2);
        open("#/models");
        forgetToken();

        browser.testId("action-rollback").click();
        enterToken("not-the-token");

        browser.waitUpTo(Duration.ofSeconds(10)).withMessage("[data-testid=problem] did not explain the token")
                .until(d -> problemText().toLowerCase(Locale.ROOT).contains("token"));
        assertThat(api.servingVersion("mnist")).as("the serving version after a refused rollback").isEqualTo(2);

        // and giving up (Escape in the dialog, if it asks again) leaves the explanation and changes nothing
        if (tokenDialogOpen()) {
            browser.testId("token-input").sendKeys(Keys.ESCAPE);
            browser.waitUpTo(Duration.ofSeconds(5)).withMessage("the token dialog did not close on Escape")
                    .until(d -> !tokenDialogOpen());
        }
        assertThat(problemText().toLowerCase(Locale.ROOT)).contains("token");
        assertThat(api.servingVersion("mnist")).as("the serving version after a cancelled rollback").isEqualTo(2);
        assertThat(browser.testId("serving-version").getText().trim()).isEqualTo("2");
    }

    @Test
    @Order(6)
    void aRollbackWithTheTokenServesThePreviousVersion() {
        open("#/models");
        forgetToken();
        browser.waitUpTo(Duration.ofSeconds(10)).withMessage("the models page did not list both versions")
                .until(d -> d.findElements(By.cssSelector("tr[data-version]")).size() >= 2);
        assertThat(browser.testId("serving-version").getText().trim()).isEqualTo("2");
        assertThat(driver().findElements(By.cssSelector("tr[data-version='2'][data-state='SERVING']"))).hasSize(1);

        browser.testId("action-rollback").click();
        enterToken(TOKEN);

        await().atMost(Duration.ofSeconds(30)).until(() -> api.servingVersion("mnist") == 1);
        browser.waitUpTo(Duration.ofSeconds(10)).withMessage("serving-version did not show 1 after the rollback")
                .until(d -> browser.testId("serving-version").getText().trim().equals("1"));
        browser.waitUpTo(Duration.ofSeconds(10)).withMessage("version 1 not shown as SERVING")
                .until(d -> !d.findElements(By.cssSelector("tr[data-version='1'][data-state='SERVING']")).isEmpty());
    }

    /** The run the first scenario started: the later scenarios build on it. */
    private static String firstRun() {
        assertThat(firstRun).as("the run of the first scenario, which did not get that far").isNotNull();
        return firstRun;
    }

    private static WebDriver driver() {
        return browser.driver();
    }

    private static void open(String route) {
        driver().get(base + route);
    }

    /** Opens the run's page in the current window and records every change until all its steps are COMPLETED. */
    private static List<RunPageRecorder.Seen> watchUntilAllStepsCompleted(String run) {
        open("#/runs/" + run);
        RunPageRecorder recorder = new RunPageRecorder(browser);
        recorder.install();
        browser.waitUpTo(RUN_TIMEOUT).withMessage(() -> "the steps of " + run + " did not all complete; seen: "
                        + recorder.seen() + "; run: " + api.run(run))
                .until(d -> d.findElements(By.cssSelector("ul[data-testid='steps'] li[data-step][data-status='COMPLETED']"))
                        .size() == STEPS.size());
        return recorder.seen();
    }

    /** A state where a step is STARTED and a later one not reached yet (PENDING). */
    private static boolean startedWithLaterPending(RunPageRecorder.Seen state) {
        for (int i = 0; i < STEPS.size(); i++) {
            if ("STARTED".equals(state.status(STEPS.get(i)))) {
                for (String later : STEPS.subList(i + 1, STEPS.size())) {
                    if ("PENDING".equals(state.status(later))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String text(String testId) {
        return browser.testId(testId).getText();
    }

    private static boolean tokenDialogOpen() {
        return driver().findElements(Browser.byTestId("token-dialog")).stream().anyMatch(WebElement::isDisplayed);
    }

    private static String problemText() {
        return driver().findElements(Browser.byTestId("problem")).stream().map(WebElement::getText).findFirst()
                .orElse("(no [data-testid=problem])");
    }

    private static String statusCell(String run) {
        return driver().findElement(By.cssSelector("tr[data-run='" + run + "'] td[data-col='status']")).getText();
    }

    private static void forgetToken() {
        browser.script("sessionStorage.clear();");
        driver().navigate().refresh();
    }

    /** Types the token into the dialog that an action opens when the session has none. */
    private static void enterToken(String token) {
        WebElement dialog = browser.waitUpTo(Duration.ofSeconds(10)).withMessage("the token dialog did not open")
                .until(d -> {
                    acceptConfirmation(d);
                    WebElement found = d.findElements(Browser.byTestId("token-dialog")).stream().findFirst().orElse(null);
                    return found != null && found.isDisplayed() ? found : null;
                });
        WebElement input = dialog.findElement(Browser.byTestId("token-input"));
        input.clear();
        input.sendKeys(token);
        dialog.findElement(Browser.byTestId("token-save")).click();
        acceptConfirmation(driver());
    }

    /** A confirm() before an action is a person's "yes". */
    private static void acceptConfirmation(WebDriver driver) {
        try {
            driver.switchTo().alert().accept();
        } catch (NoAlertPresentException e) {
            // no confirmation asked
        }
    }

    /**
     * Draws a 7 as a finger would: a bar along the top, then a diagonal down towards the bottom left, in many small
     * moves. Points are in the canvas's own 280x280 pixels; WebDriver's element origin is the element's centre. This
     * shape, with strokes 14 to 30 pixels wide, is a 7 to the model trained here (300 steps of 50) once the page centres
     * its ink's mass as MNIST does; with its bounding box centred instead, that model reads a 2.
     */
    private static void drawSeven(WebElement canvas) {
        int width = canvas.getRect().getWidth();
        int height = canvas.getRect().getHeight();
        PointerInput finger = new PointerInput(PointerInput.Kind.MOUSE, "finger");
        Sequence stroke = new Sequence(finger, 0);
        int[][] path = {{80, 70}, {200, 70}, {140, 250}};
        stroke.addAction(move(finger, canvas, width, height, path[0][0], path[0][1], 0));
        stroke.addAction(finger.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
        for (int leg = 1; leg < path.length; leg++) {
            int moves = 24;
            for (int i = 1; i <= moves; i++) {
                double x = path[leg - 1][0] + (path[leg][0] - path[leg - 1][0]) * i / (double) moves;
                double y = path[leg - 1][1] + (path[leg][1] - path[leg - 1][1]) * i / (double) moves;
                stroke.addAction(move(finger, canvas, width, height, x, y, 10));
            }
        }
        stroke.addAction(finger.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        ((org.openqa.selenium.interactions.Interactive) driver()).perform(List.of(stroke));
    }

    private static org.openqa.selenium.interactions.Interaction move(PointerInput finger, WebElement canvas, int width,
                                                                     int height, double x, double y, long millis) {
        int offsetX = (int) Math.round((x / 280.0 - 0.5) * width);
        int offsetY = (int) Math.round((y / 280.0 - 0.5) * height);
        return finger.createPointerMove(Duration.ofMillis(millis), PointerInput.Origin.fromElement(canvas), offsetX,
                offsetY);
    }
}
