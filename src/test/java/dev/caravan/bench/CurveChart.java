package dev.caravan.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The serving curve as a PNG: throughput (images/s) above p99 latency (ms), both against the number of concurrent
 * batch-1 clients on a log-2 axis, one series per path, with the limit and the targets drawn as lines.
 */
final class CurveChart {

    private static final List<String> PATHS = List.of(ServingCurveBench.IN_PROCESS, ServingCurveBench.GRPC,
            ServingCurveBench.REST);
    private static final Color[] COLORS = {new Color(0x4c72b0), new Color(0xdd8452), new Color(0x55a868)};
    private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();

    private CurveChart() {
    }

    static void write(CurveReport report, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        LogAxis clients = new LogAxis("concurrent batch-1 clients");
        clients.setBase(2);
        clients.setTickUnit(new NumberTickUnit(1));
        clients.setNumberFormatOverride(new DecimalFormat("0"));
        clients.setRange(0.8, 80);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(clients);
        plot.setGap(12);

        double limit = report.limit();
        NumberAxis images = new NumberAxis("images/s");
        images.setRange(0, limit * 1.15);
        XYPlot throughput = plot(report, images, CurvePoint::imagesPerSecond);
        throughput.addRangeMarker(marker(limit, "limit: in-process batch 32, %.0f images/s", Color.DARK_GRAY));
        throughput.addRangeMarker(marker(limit * CurveReport.GRPC_TARGET, "gRPC target 50 %%: %.0f", COLORS[1]));
        throughput.addRangeMarker(marker(limit * CurveReport.REST_TARGET, "REST target 40 %%: %.0f", COLORS[2]));
        // Latency spans from a fraction of a millisecond to tens of them: a log axis shows both ends.
        LogAxis millis = new LogAxis("p99 latency, ms (log)");
        millis.setBase(2);
        millis.setTickUnit(new NumberTickUnit(1));
        millis.setNumberFormatOverride(new DecimalFormat("0.##"));
        XYPlot latency = plot(report, millis, CurvePoint::p99Millis);
        double highest = report.points().stream().mapToDouble(CurvePoint::p99Millis).max().orElse(10);
        double lowest = report.points().stream().mapToDouble(CurvePoint::p99Millis).min().orElse(0.1);
        millis.setRange(Math.min(lowest, 1) / 1.5, Math.max(highest, 4) * 1.5);
        latency.getRenderer().setDefaultSeriesVisibleInLegend(false);
        latency.addRangeMarker(marker(CurveReport.P99_TARGET_MILLIS, "p99 target at 1 client: %.0f ms", Color.RED));
        plot.add(throughput, 3);
        plot.add(latency, 2);

        JFreeChart chart = new JFreeChart(String.format(Locale.ROOT, "Caravan model server, MNIST CNN, %d cores",
                report.cores()), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(file.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 800);
    }

    private static XYPlot plot(CurveReport report, ValueAxis axis, ToDoubleFunction<CurvePoint> value) {
        XYSeriesCollection series = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < PATHS.size(); i++) {
            XYSeries line = new XYSeries(PATHS.get(i));
            report.curve(PATHS.get(i)).forEach(p -> line.add(p.concurrency(), value.applyAsDouble(p)));
            series.addSeries(line);
            renderer.setSeriesPaint(i, COLORS[i]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            // The same marks in both plots, so that the one legend names them.
            renderer.setSeriesShape(i, SHAPES[i]);
        }
        XYPlot plot = new XYPlot(series, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }

    private static ValueMarker marker(double value, String label, Color color) {
        ValueMarker marker = new ValueMarker(value, color, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        marker.setLabel(String.format(Locale.ROOT, label, value));
        marker.setLabelPaint(color);
        marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        marker.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        return marker;
    }
}
