package dev.vitra.watchdog.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.InterruptableJob;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/**
 * One scheduled pass of one monitor. Quartz never runs two of the same monitor at once
 * ({@link DisallowConcurrentExecution}: a trigger that fires while the last pass still runs waits for it).
 */
@DisallowConcurrentExecution
public final class PassJob implements InterruptableJob {
    static final String MONITOR = "monitor";
    static final String SCHEDULER = "vitra.monitorScheduler";

    private volatile boolean interrupted;

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        MonitorScheduler scheduler;
        try {
            scheduler = (MonitorScheduler) context.getScheduler().getContext().get(SCHEDULER);
        } catch (SchedulerException e) {
            throw new JobExecutionException(e);
        }
        scheduler.runPass(context.getMergedJobDataMap().getString(MONITOR), () -> interrupted);
    }

    /** Asks the running pass to commit and stop at its next chunk boundary (shutdown, or the monitor was removed). */
    @Override
    public void interrupt() {
        interrupted = true;
    }
}
