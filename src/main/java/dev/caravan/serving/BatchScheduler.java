package dev.caravan.serving;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.caravan.serving.api.Code;

/**
 * The prediction threads. Requests queue here; each thread takes the oldest one together with the queued requests
 * that can share its run (up to a number of rows) and runs them as one TensorFlow call. No request waits for
 * others to arrive: batches only form from requests that queued while the threads were busy, so a lone request
 * runs at once, and under load each call serves several requests, as TensorFlow Serving's batching does.
 */
final class BatchScheduler implements AutoCloseable {

    private final int maxRows;
    private final int maxQueued;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final ArrayDeque<PredictionTask> queue = new ArrayDeque<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;

    /**
     * @param threads   prediction threads; each runs TensorFlow's ops itself (ModelServerSettings)
     * @param maxRows   rows (instances) one run may stack; 1 runs every request alone
     * @param maxQueued requests that may wait; more are refused as RESOURCE_EXHAUSTED
     */
    BatchScheduler(int threads, int maxRows, int maxQueued) {
        this.maxRows = maxRows;
        this.maxQueued = maxQueued;
        for (int i = 0; i < threads; i++) {
            Thread thread = ServerThreads.factory("caravan-predict-" + (i + 1)).newThread(this::work);
            this.threads.add(thread);
            thread.start();
        }
    }

    void submit(PredictionTask task) {
        ServingError refusal = null;
        lock.lock();
        try {
            if (closed) {
                refusal = new ServingError(Code.UNAVAILABLE, "the model server is stopping");
            } else if (queue.size() >= maxQueued) {
                refusal = new ServingError(Code.RESOURCE_EXHAUSTED, "the model server has " + maxQueued
                        + " predictions waiting; retry later, or give it more prediction threads");
            } else {
                queue.add(task);
                queued.signal();
            }
        } finally {
            lock.unlock();
        }
        if (refusal != null) {
            task.fail(refusal);
        }
    }

    /** Stops the threads after the runs in progress; queued requests are refused. */
    @Override
    public void close() {
        List<PredictionTask> left;
        lock.lock();
        try {
            closed = true;
            queued.signalAll();
            left = new ArrayList<>(queue);
            queue.clear();
        } finally {
            lock.unlock();
        }
        left.forEach(task -> task.fail(new ServingError(Code.UNAVAILABLE, "the model server is stopping")));
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void work() {
        for (List<PredictionTask> batch = next(); batch != null; batch = next()) {
            BatchRun.run(batch);
        }
    }

    /** The oldest task and those queued after it that can share its run; null once closed. */
    private List<PredictionTask> next() {
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) {
                queued.awaitUninterruptibly();
            }
            if (closed) {
                return null;
            }
            PredictionTask first = queue.poll();
            List<PredictionTask> batch = new ArrayList<>(List.of(first));
            long rows = first.rows();
            for (Iterator<PredictionTask> it = queue.iterator(); it.hasNext() && rows < maxRows; ) {
                PredictionTask task = it.next();
                if (task.canShareRunWith(first) && rows + task.rows() <= maxRows) {
                    it.remove();
                    batch.add(task);
                    rows += task.rows();
                }
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }
}
