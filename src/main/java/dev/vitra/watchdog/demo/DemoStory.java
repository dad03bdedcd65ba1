package dev.vitra.watchdog.demo;

import dev.vitra.watchdog.audit.PassReport;
import dev.vitra.watchdog.audit.Verdict;
import dev.vitra.watchdog.cli.Main;
import dev.vitra.watchdog.executor.Fault;
import dev.vitra.watchdog.schedule.MonitorState;
import dev.vitra.watchdog.store.Rows;
import dev.vitra.watchdog.store.StoreSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the demo as it happens, in a few lines a newcomer can follow: both databases verified; the cheat; the finding,
 * its proof file and {@code verify-proof} run on it; the alert email; things resolving. It reads what the service
 * itself shows (each monitor's last pass and open findings, the proofs in the store), so the story is the product's
 * own view, not a script.
 */
final class DemoStory {
    private static final Logger LOG = LoggerFactory.getLogger(DemoStory.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long the cheating executor runs before it is told to cheat, once both databases are verified. */
    private static final Duration HONEST_PHASE = Duration.ofSeconds(3);
    /** After this long without a finding the story says what the cheat should have caused, and keeps watching. */
    private static final Duration NOT_CAUGHT_AFTER = Duration.ofSeconds(45);
    /** How long the story waits for the watchdog to verify everything before a signed fork (then it forks anyway). */
    private static final Duration SETTLE_AT_MOST = Duration.ofSeconds(30);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(60);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private record Told(String database, Rows.Finding finding) {
    }

    private final Demo demo;
    private final PrintWriter out;
    private final Set<String> verified = new HashSet<>();
    /** Open findings already told, per finding id, so each is told once and its resolution too. */
    private final Map<Long, Told> told = new HashMap<>();
    private Instant bothVerifiedAt;
    private Instant cheatStartedAt;
    /** When the participants paused on the cheating database, so the watchdog could verify all of it before a fork. */
    private Instant pausedAt;
    private boolean caught;
    /** The cheat was proven (fraud), not merely unverifiable (availability). */
    private boolean caughtFraud = true;
    private boolean notCaughtTold;
    private Instant caughtAt;
    private boolean mailTold;
    private boolean closingTold;
    private Instant lastStatus = Instant.now();

    DemoStory(Demo demo, PrintWriter out) {
        this.demo = demo;
        this.out = out;
    }

    void tell(BooleanSupplier stop) throws InterruptedException {
        banner();
        earlierFindings();
        while (!stop.getAsBoolean()) {
            for (Demo.Database d : demo.databases()) {
                demo.service().scheduler().monitor(d.name()).ifPresent(m -> follow(d, m));
            }
            maybeCheat();
            mail();
            status();
            maybeClose();
            out.flush();
            Thread.sleep(POLL);
        }
    }

    private void banner() {
        Demo.Options o = demo.options();
        int port = demo.service().httpPort();
        if (demo.resumed()) {
            line("demo", "resuming the demo in %s, created %s: the same two databases and the watchdog's store",
                    o.dir(), DAY.format(demo.createdAt()));
        } else {
            line("demo", "a new demo in %s", o.dir());
        }
        for (Demo.Database d : demo.databases()) {
            line(d.name(), "a token-ledger database (%d participants) served by the reference executor at %s, index log %s, %d entries%s",
                    d.executor().participants().size(), d.server().baseUrl(), shortId(d.index().hex()), d.executor().indexSize(),
                    demo.resumed() && d.created() ? " (created anew: it was missing)" : "");
        }
        line("watchdog", "audits both every 2 s: status page http://127.0.0.1:%d/   metrics http://127.0.0.1:%d/metrics", port, port);
        line("", "config %s, store %s, log %s", o.dir().resolve("monitors.yaml"), o.dir().resolve("watchdog.mv.db"),
                o.dir().resolve("watchdog.log"));
        if (demo.sink().isPresent()) {
            line("email", "alerts go to %s through a built-in SMTP sink on 127.0.0.1:%d, which writes each message to %s",
                    o.mailTo(), demo.sink().get().port(), o.dir().resolve("mail"));
        } else {
            java.net.InetSocketAddress smtp = o.smtp().orElseThrow();
            line("email", "alerts go to %s through the SMTP server at %s:%d (if it cannot be reached, %s says why; the"
                    + " watchdog keeps trying)", o.mailTo(), smtp.getHostString(), smtp.getPort(), o.dir().resolve("watchdog.log"));
        }
        line("load", "participants call both databases over HTTP a few times a second (mints and transfers)");
        out.flush();
    }

    /** On a resumed demo the store may already hold findings: told as such, so nothing looks new that is not. */
    private void earlierFindings() {
        for (Demo.Database d : demo.databases()) {
            Optional<MonitorState> m = demo.service().scheduler().monitor(d.name());
            if (m.isEmpty()) {
                continue;
            }
            for (Rows.Finding f : m.get().openFindings()) {
                if (f.kind().equals("pending")) {
                    continue;
                }
                told.put(f.id(), new Told(d.name(), f));
                line(d.name(), "still open from an earlier run: %s %s%s (alerted then, not again)", f.kind().toUpperCase(java.util.Locale.ROOT),
                        f.code(), where(f));
                if (d.name().equals(Demo.CHEATING)) {
                    caught = true;
                    caughtAt = Instant.now();
                    mailTold = true;
                }
                f.proofId().ifPresent(id -> proof(d, f, id, false));
            }
        }
    }

    private void follow(Demo.Database d, MonitorState m) {
        MonitorState.Snapshot s = m.snapshot();
        if (s.lastReport().isEmpty()) {
            return;
        }
        PassReport r = s.lastReport().get();
        long ops = ops(r);
        // PENDING counts: under a steady load some op is always published but not yet processed (that is not a problem
        // until the pending deadline passes, when it becomes an availability finding).
        boolean upToDate = r.verdict() == Verdict.VERIFIED || r.verdict() == Verdict.PENDING;
        if (upToDate && ops > 0 && verified.add(d.name())) {
            line(d.name(), "VERIFIED: %d ops of %d participants replayed through the contract%s, %d index entries, every"
                    + " checkpoint signature and consistency proof checked", ops, d.executor().participants().size(),
                    r.transactions() < ops ? " (" + r.transactions() + " in this pass, the rest in earlier runs)" : "",
                    r.verifiedPosition());
            if (verified.size() == demo.databases().size()) {
                bothVerifiedAt = Instant.now();
            }
        }
        Set<Long> open = new HashSet<>();
        for (Rows.Finding f : m.openFindings()) {
            if (f.kind().equals("pending")) {
                continue;
            }
            open.add(f.id());
            if (told.putIfAbsent(f.id(), new Told(d.name(), f)) == null) {
                found(d, f);
            }
        }
        for (Map.Entry<Long, Told> e : List.copyOf(told.entrySet())) {
            if (e.getValue().database().equals(d.name()) && !open.contains(e.getKey())) {
                told.remove(e.getKey());
                Rows.Finding f = e.getValue().finding();
                line(d.name(), "resolved: %s %s%s (if it was alerted, a \"resolved\" message follows)",
                        f.kind().toUpperCase(java.util.Locale.ROOT), f.code(), where(f));
            }
        }
    }

    /** Now and then, where each database stands, so a long-running demo still shows it is alive. */
    private void status() {
        if (Duration.between(lastStatus, Instant.now()).compareTo(STATUS_EVERY) < 0) {
            return;
        }
        lastStatus = Instant.now();
        for (Demo.Database d : demo.databases()) {
            demo.service().scheduler().monitor(d.name()).ifPresent(m -> m.snapshot().lastReport().ifPresent(r -> {
                List<Rows.Finding> fraud = m.openFindings().stream().filter(f -> f.kind().equals("fraud")).toList();
                boolean participantsOnly = !fraud.isEmpty() && fraud.stream().allMatch(f -> f.isParticipantsFraud(d.index()));
                line(d.name(), "%s%s, %d ops verified (%d participant calls to the two databases in this run)", m.health(Instant.now()),
                        participantsOnly ? " by a participant (its oplog forked; the executor is not accused)" : "", ops(r),
                        demo.calls());
            }));
        }
    }

    private void found(Demo.Database d, Rows.Finding f) {
        String kind = f.kind().toUpperCase(java.util.Locale.ROOT);
        line(d.name(), "%s %s: %s %s%s", d.name().equals(Demo.CHEATING) ? "CAUGHT" : "FOUND", kind.equals("FRAUD") ? "cheating" : "a problem",
                kind, f.code(), where(f));
        line("", "%s", f.summary());
        if (d.name().equals(Demo.CHEATING) && !caught) {
            caught = true;
            caughtAt = Instant.now();
            caughtFraud = f.kind().equals("fraud");
            if (caughtFraud) {
                setCheat(d, false); // proven: the executor may behave again, the breach stays
            }
            // An availability problem stays on until its alert went out (availability-after, then the planner's
            // tick): switched off earlier, it would clear before anyone was told. See maybeClose.
        }
        f.proofId().ifPresentOrElse(id -> proof(d, f, id, true), () -> {
            if (f.kind().equals("availability")) {
                line("", "not fraud: nothing signed contradicts itself, so there is no proof; the watchdog alerts and keeps trying");
            }
        });
    }

    /** Writes the proof to the proofs directory and runs {@code verify-proof} on it, as anyone receiving it would. */
    private void proof(Demo.Database d, Rows.Finding f, String proofId, boolean check) {
        Path file = demo.options().dir().resolve("proofs").resolve(proofId + ".json");
        try {
            if (!Files.exists(file)) {
                Optional<byte[]> proof;
                try (StoreSession s = demo.service().store().session()) {
                    proof = s.proofById(proofId);
                }
                if (proof.isEmpty()) {
                    line("", "the proof %s is not in the store (yet)", proofId);
                    return;
                }
                Files.createDirectories(file.getParent());
                Path partial = file.resolveSibling(file.getFileName() + ".partial");
                Files.write(partial, proof.get());
                Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            line("", "could not write the proof to %s: %s", file, e.getMessage());
            return;
        }
        line("", "proof  %s", file);
        if (!check) {
            return;
        }
        line("", "anyone can check it offline:   ./vitra-watchdog verify-proof %s", file);
        line("", "or replay the logs it names:   ./vitra-watchdog verify-proof %s --replay --executor %s", file, d.server().baseUrl());
        StringWriter text = new StringWriter();
        int exit;
        try (PrintWriter w = new PrintWriter(text)) {
            exit = Main.commandLine().setOut(w).setErr(w).execute("verify-proof", file.toString(), "--replay", "--executor",
                    d.server().baseUrl(), "--quiet");
        }
        line("", "ran the second one (exit %d%s):", exit, exit == 0 ? ": the proof holds" : "");
        text.toString().lines().forEach(l -> out.printf("%s | %s%n", " ".repeat(18), l));
    }

    private void maybeCheat() {
        if (cheatStartedAt != null || caught || bothVerifiedAt == null
                || Duration.between(bothVerifiedAt, Instant.now()).compareTo(HONEST_PHASE) < 0) {
            if (cheatStartedAt != null && !caught && !notCaughtTold
                    && Duration.between(cheatStartedAt, Instant.now()).compareTo(NOT_CAUGHT_AFTER) > 0) {
                notCaughtTold = true;
                Fault f = demo.options().cheat();
                line(Demo.CHEATING, "not caught after %d s; what %s should lead to: %s. The watchdog keeps watching.",
                        NOT_CAUGHT_AFTER.toSeconds(), f, f.conclusion());
            }
            return;
        }
        Fault f = demo.options().cheat();
        Demo.Database cheating = demo.database(Demo.CHEATING);
        if (f.rewritesSignedHistory()) {
            // A rewrite is a fork only to a monitor that verified the history before it: one that never saw the old
            // version cannot know there was one. So the history to be rewritten is first verified, with the load paused.
            if (pausedAt == null) {
                pausedAt = Instant.now();
                demo.pauseLoad(cheating, true);
                line(Demo.CHEATING, "participants pause here, so that the watchdog verifies the history that is about to be"
                        + " rewritten");
                return;
            }
            if (!verifiedToTheEnd(cheating)) {
                if (Duration.between(pausedAt, Instant.now()).compareTo(SETTLE_AT_MOST) < 0) {
                    return;
                }
                line(Demo.CHEATING, "the watchdog has not verified all of it within %d s; rewriting anyway (what it never"
                        + " saw, it cannot tell was rewritten)", SETTLE_AT_MOST.toSeconds());
            }
        }
        if (setCheat(cheating, true)) {
            cheatStartedAt = Instant.now();
            // A forked oplog is a participant's doing (PROTOCOL §5): the reference executor only plays the participant.
            line(Demo.CHEATING, "%s starts cheating (%s): %s", f == Fault.FORK_OPLOG ? "a participant" : "the executor", f,
                    f.description());
        }
        if (pausedAt != null) {
            demo.pauseLoad(cheating, false);
        }
    }

    /** The watchdog's last pass verified every log of {@code d} up to what its executor published, and nothing waits. */
    private boolean verifiedToTheEnd(Demo.Database d) {
        Optional<PassReport> last = demo.service().scheduler().monitor(d.name()).flatMap(m -> m.snapshot().lastReport());
        if (last.isEmpty() || last.get().verdict() != Verdict.VERIFIED || d.executor().hasPending()) {
            return false;
        }
        PassReport r = last.get();
        return r.verifiedPosition() == d.executor().publishedSize(d.index())
                && r.logs().stream().allMatch(p -> p.verifiedSize() == d.executor().publishedSize(p.log()));
    }

    private boolean setCheat(Demo.Database d, boolean on) {
        try {
            d.executor().setFault(demo.options().cheat(), on);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not switch {} {}: {}", demo.options().cheat(), on ? "on" : "off", e.toString());
            if (on) {
                line(d.name(), "could not start cheating (%s): %s", demo.options().cheat(), e.getMessage());
                cheatStartedAt = Instant.now();
            }
            return false;
        }
    }

    private void mail() {
        if (demo.sink().isEmpty()) {
            return;
        }
        try {
            for (MailSink.Saved m : demo.sink().get().drain()) {
                mailTold = true;
                line("email", "received \"%s\"%s", m.subject(), m.attachments().isEmpty() ? "" : ", attached " + String.join(", ", m.attachments()));
                line("", "saved as %s (open it in any mail client)", m.file());
            }
        } catch (IOException e) {
            line("email", "could not save a received message: %s", e.getMessage());
        }
    }

    private void maybeClose() {
        if (closingTold || !caught || caughtAt == null || !verified.contains(Demo.HONEST)) {
            return;
        }
        long waited = Duration.between(caughtAt, Instant.now()).toSeconds();
        boolean mailDue = demo.sink().isPresent() && !mailTold && waited < (caughtFraud ? 15 : 40);
        if (mailDue) {
            return;
        }
        closingTold = true;
        if (!caughtFraud) {
            setCheat(demo.database(Demo.CHEATING), false); // alerted: now it may clear, and a "resolved" follows
        }
        int port = demo.service().httpPort();
        String cheating;
        if (!caughtFraud) {
            cheating = "the cheating one is reported as unavailable: what it served could not be verified, which is not proof"
                    + " of fraud";
        } else if (demo.options().cheat() == Fault.FORK_OPLOG) {
            cheating = "on the cheating one a participant's forked oplog is caught with a proof anyone can check (its"
                    + " executor is not accused)";
        } else {
            cheating = "the cheating one is caught with a proof anyone can check";
        }
        line("demo", "that is the story: the honest database is never accused (PENDING there only means ops wait to be"
                + " processed), and %s.", cheating);
        line("", "Everything keeps running: browse http://127.0.0.1:%d/ , or point Prometheus at /metrics (Grafana dashboard in"
                + " grafana/).", port);
        line("", "Ctrl-C stops the demo; running it again resumes the same databases and store.");
    }

    private static long ops(PassReport r) {
        return r.logs().stream().filter(l -> l.role() == Rows.LogRole.OPLOG).mapToLong(PassReport.LogPosition::nextSeq).sum();
    }

    private static String where(Rows.Finding f) {
        if (f.atPosition().isPresent()) {
            return " at index position " + f.atPosition().getAsLong();
        }
        return f.entryPosition().isPresent() ? " at entry " + f.entryPosition().getAsLong() : "";
    }

    private static String shortId(String hex) {
        return hex.substring(0, 12) + "…";
    }

    private void line(String who, String format, Object... args) {
        double seconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        String prefix = who.isEmpty() ? " ".repeat(18) : String.format("[%5.1fs] %-9s", seconds, who);
        out.printf("%s %s%n", prefix, String.format(format, args));
    }
}
