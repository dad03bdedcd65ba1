package dev.vitra.watchdog.demo;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The demo's stand-in for a mail server: a real SMTP server (GreenMail) on loopback that accepts every message and
 * writes each one, exactly as received, to {@code <dir>/<UTC time>-<message id hash>.eml}, so the alert the watchdog
 * sent can be opened in any mail client.
 */
final class MailSink implements AutoCloseable {
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** A message written to disk. */
    record Saved(Path file, String subject, List<String> attachments) {
    }

    private final GreenMail server;
    private final Path dir;
    private int seen;

    private MailSink(GreenMail server, Path dir) {
        this.server = server;
        this.dir = dir;
    }

    static MailSink start(Path dir) throws IOException {
        Files.createDirectories(dir);
        GreenMail server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        server.start();
        return new MailSink(server, dir);
    }

    int port() {
        return server.getSmtp().getPort();
    }

    /** Writes the messages received since the last call; returns what it wrote. */
    synchronized List<Saved> drain() throws IOException {
        MimeMessage[] received = server.getReceivedMessages();
        List<Saved> saved = new ArrayList<>();
        for (; seen < received.length; seen++) {
            saved.add(save(received[seen]));
        }
        return saved;
    }

    private Saved save(MimeMessage message) throws IOException {
        try {
            String id = message.getMessageID() == null ? "message-" + seen : message.getMessageID();
            Path file = dir.resolve(FILE_TIME.format(Instant.now()) + "-" + shortHash(id) + ".eml");
            Path partial = dir.resolve(file.getFileName() + ".partial");
            try (OutputStream out = Files.newOutputStream(partial)) {
                message.writeTo(out);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            List<String> attachments = new ArrayList<>();
            if (message.getContent() instanceof jakarta.mail.Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    jakarta.mail.BodyPart part = multipart.getBodyPart(i);
                    if (jakarta.mail.Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
                        attachments.add(String.valueOf(part.getFileName()));
                    }
                }
            }
            return new Saved(file, String.valueOf(message.getSubject()), attachments);
        } catch (MessagingException e) {
            throw new IOException("could not save a received message: " + e.getMessage(), e);
        }
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
