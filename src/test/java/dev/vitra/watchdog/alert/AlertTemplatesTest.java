package dev.vitra.watchdog.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class AlertTemplatesTest {
    @Test
    void theBuiltInTemplatesRenderEveryKindWithASubject() throws Exception {
        AlertTemplates t = AlertTemplates.load(Optional.empty());
        for (String kind : AlertTemplates.KINDS) {
            for (boolean proof : new boolean[] {true, false}) {
                AlertTemplates.Rendered r = t.render(kind, AlertTemplates.sample(kind, proof));
                assertThat(r.subject()).as(kind).startsWith("[vitra-watchdog]");
                assertThat(r.text()).as(kind).contains(kind.equals("digest") ? "monitor (auditing, 10 index entries verified)"
                        : "summary").doesNotContain("Subject:");
                assertThat(r.html()).as(kind).startsWith("<!doctype html>");
            }
        }
        assertThat(t.render("fraud", AlertContent.sample("fraud", true)).text()).contains("vitra-watchdog verify-proof proof-");
    }

    @Test
    void aForkedOplogIsToldAsTheParticipantsFraudNeverTheExecutors() throws Exception {
        // Review: a participant's forked oplog was mailed as "proven that the executor ... misbehaved".
        AlertTemplates t = AlertTemplates.load(Optional.empty());
        java.util.Map<String, Object> forked = new java.util.HashMap<>(AlertContent.sample("fraud", true));
        forked.put("byParticipant", true);
        forked.put("culprit", "participant");
        forked.put("log", "ab".repeat(32));
        AlertTemplates.Rendered byParticipant = t.render("fraud", forked);
        assertThat(byParticipant.text()).contains("a participant of the database").contains("ab".repeat(32))
                .contains("The executor is not accused").doesNotContain("proven that the executor");
        assertThat(byParticipant.html()).contains("a participant of the database").doesNotContain("proven that the executor");
        AlertTemplates.Rendered byExecutor = t.render("fraud", AlertContent.sample("fraud", true));
        assertThat(byExecutor.text()).contains("proven that the executor").doesNotContain("participant");
    }

    @Test
    void valuesFromALogAreEscapedInHtmlAndKeptAsTheyAreInText() throws Exception {
        AlertTemplates t = AlertTemplates.load(Optional.empty());
        Map<String, Object> vars = AlertContent.sample("fraud", true);
        vars.put("summary", "<script>alert(1)</script> & \"quotes\"");
        AlertTemplates.Rendered r = t.render("fraud", vars);
        assertThat(r.html()).contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;").doesNotContain("<script>");
        assertThat(r.text()).contains("<script>alert(1)</script> & \"quotes\"");
    }

    @Test
    void aSubjectIsOneHeaderLineWhateverTheValuesHold() throws Exception {
        AlertTemplates t = AlertTemplates.load(Optional.empty());
        Map<String, Object> vars = AlertContent.sample("fraud", true);
        vars.put("monitor", "shop\rBcc: everyone@example.org\u0000");
        assertThat(t.render("fraud", vars).subject()).isEqualTo("[vitra-watchdog] FRAUD PROVEN on shop Bcc: everyone@example.org : Code");
    }

    @Test
    void anOperatorsTemplateWithAnUnknownVariableIsRefusedWithItsFileAndLine(@TempDir Path dir) throws Exception {
        copyBuiltIns(dir);
        Files.writeString(dir.resolve("availability.html"), "<p>\n{{monitor}}\n{{monitr}}</p>\n");
        Files.writeString(dir.resolve("notice.txt"), "no subject line\n{{summary}}\n");
        Files.writeString(dir.resolve("fraud.txt"), "Subject: x\n{{#hasProof}}\n{{/hasProf}}\n");
        assertThatThrownBy(() -> AlertTemplates.load(Optional.of(dir))).isInstanceOfSatisfying(
                AlertTemplates.TemplateException.class, e -> assertThat(e.problems()).satisfiesExactlyInAnyOrder(
                        p -> assertThat(p).startsWith(dir.resolve("fraud.txt") + ":3: "),
                        p -> assertThat(p).startsWith(dir.resolve("availability.html") + ":3: ").contains("monitr"),
                        p -> assertThat(p).startsWith(dir.resolve("notice.txt") + ":1: the first line must be \"Subject: ...\"")));
    }

    @Test
    void unknownVariablesInSectionsPartialsAndUnescapedHtmlAreRefusedAtLoad(@TempDir Path dir) throws Exception {
        // Review round 5: these passed validation and failed every delivery of one kind, or crashed validate-config.
        copyBuiltIns(dir);
        Files.writeString(dir.resolve("fraud.html"), "<p>{{monitor}}</p>\n{{#repeat}}{{repeatNumbr}}{{/repeat}}\n");
        Files.writeString(dir.resolve("availability.txt"), "Subject: {{monitor}}\n{{^hasProof}}\n{{resolvdAt}}{{/hasProof}}\n");
        Files.writeString(dir.resolve("notice.html"), "{{> footer}}\n");
        Files.writeString(dir.resolve("resolved.html"), "<p>\n{{{summary}}}</p>\n");
        assertThatThrownBy(() -> AlertTemplates.load(Optional.of(dir))).isInstanceOfSatisfying(
                AlertTemplates.TemplateException.class, e -> assertThat(e.problems()).satisfiesExactlyInAnyOrder(
                        p -> assertThat(p).startsWith(dir.resolve("fraud.html") + ":2: ").contains("repeatNumbr"),
                        p -> assertThat(p).startsWith(dir.resolve("availability.txt") + ":3: ").contains("resolvdAt"),
                        p -> assertThat(p).startsWith(dir.resolve("notice.html") + ":1: ").contains("partials"),
                        p -> assertThat(p).startsWith(dir.resolve("resolved.html") + ":2: unescaped output")));
    }

    @Test
    void aLineBreakInAValueNeitherEndsTheSubjectNorStartsTheBody(@TempDir Path dir) throws Exception {
        copyBuiltIns(dir);
        Files.writeString(dir.resolve("fraud.txt"), "Subject: fraud -- {{summary}}\nBody: {{code}}\n");
        AlertTemplates t = AlertTemplates.load(Optional.of(dir));
        Map<String, Object> vars = AlertContent.sample("fraud", true);
        vars.put("summary", "x\r\nBcc: victim@example.org\r\n\r\nbody?");
        AlertTemplates.Rendered r = t.render("fraud", vars);
        assertThat(r.subject()).isEqualTo("fraud -- x  Bcc: victim@example.org    body?");
        assertThat(r.text()).isEqualTo("Body: Code\n");
    }

    @Test
    void aMissingTemplateIsNamed(@TempDir Path dir) throws Exception {
        copyBuiltIns(dir);
        Files.delete(dir.resolve("resolved.html"));
        assertThatThrownBy(() -> AlertTemplates.load(Optional.of(dir))).hasMessageContaining(dir.resolve("resolved.html") + ": missing");
    }

    public static void copyBuiltIns(Path dir) throws Exception {
        for (String kind : AlertTemplates.KINDS) {
            for (String ext : new String[] {".txt", ".html"}) {
                try (var in = AlertTemplatesTest.class.getResourceAsStream("/alert-templates/" + kind + ext)) {
                    Files.write(dir.resolve(kind + ext), in.readAllBytes());
                }
            }
        }
    }
}
