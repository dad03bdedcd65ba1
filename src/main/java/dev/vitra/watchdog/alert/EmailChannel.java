package dev.vitra.watchdog.alert;

import dev.vitra.watchdog.config.Secret;
import dev.vitra.watchdog.config.WatchdogConfig;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.util.Date;
import java.util.Properties;

/**
 * Email through SMTP (Jakarta Mail, Angus): STARTTLS (required, not opportunistic) or TLS from the start, with
 * authentication when a user is configured; multipart plain text and HTML from the templates, the fraud proof
 * attached. Every attempt of one alert carries the same {@code Message-ID}, so a receiver can drop a repeat.
 */
public final class EmailChannel implements AlertChannel {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmailChannel.class);
    /** A proof larger than this is not attached (mail servers refuse such messages); the body names its id. */
    public static final int MAX_ATTACHMENT_BYTES = 20 << 20;

    private final WatchdogConfig.Channel.Email channel;
    private final WatchdogConfig.Smtp smtp;
    private final AlertTemplates templates;
    private final Session session;

    public EmailChannel(WatchdogConfig.Channel.Email channel, WatchdogConfig.Smtp smtp, AlertTemplates templates) {
        this.channel = channel;
        this.smtp = smtp;
        this.templates = templates;
        Properties p = new Properties();
        String millis = Long.toString(smtp.timeout().toMillis());
        p.put("mail.smtp.host", smtp.host());
        p.put("mail.smtp.port", Integer.toString(smtp.port()));
        p.put("mail.smtp.connectiontimeout", millis);
        p.put("mail.smtp.timeout", millis);
        p.put("mail.smtp.writetimeout", millis);
        p.put("mail.smtp.auth", Boolean.toString(smtp.user().isPresent()));
        // A recipient the server refuses must not keep the message from the others.
        p.put("mail.smtp.sendpartial", "true");
        switch (smtp.security()) {
            case STARTTLS -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.put("mail.smtp.ssl.enable", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case NONE -> {
            }
        }
        this.session = Session.getInstance(p);
    }

    @Override
    public String name() {
        return channel.name();
    }

    @Override
    public String deliver(AlertContent content) throws DeliveryException {
        java.util.Map<String, Object> vars = content.variables();
        boolean attach = content.proof().isPresent() && content.proof().get().length <= MAX_ATTACHMENT_BYTES;
        vars.put("proofAttached", attach);
        AlertTemplates.Rendered r = templates.render(content.templateKind(), vars);
        return send(r, content.alert().messageId(), "X-Vitra-Watchdog-Alert", content.alert().event() + "; "
                + content.finding().kind() + "; " + content.finding().code(),
                attach ? java.util.Optional.of(new Attachment(content.proofFileName(), content.proof().get()))
                        : java.util.Optional.empty());
    }

    /** A file attached to a message (a fraud proof). */
    public record Attachment(String fileName, byte[] json) {
    }

    /** Sends one message to the channel's addresses; returns the server's answer. */
    public String send(AlertTemplates.Rendered r, String messageId, String header, String headerValue,
            java.util.Optional<Attachment> attachment) throws DeliveryException {
        try {
            MimeMessage message = compose(r, messageId, header, headerValue, attachment);
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect(smtp.host(), smtp.port(), smtp.user().orElse(null), smtp.password().map(Secret::value).orElse(null));
                try {
                    transport.sendMessage(message, message.getAllRecipients());
                } catch (jakarta.mail.SendFailedException partial) {
                    jakarta.mail.Address[] sent = partial.getValidSentAddresses();
                    if (sent == null || sent.length == 0) {
                        throw partial;
                    }
                    // Delivered to some: a retry would send them a second copy. The refused ones are named and logged.
                    String refused = java.util.Arrays.toString(partial.getInvalidAddresses()) + " "
                            + java.util.Arrays.toString(partial.getValidUnsentAddresses());
                    LOG.warn("alert {} on {}: the SMTP server refused some recipients: {}", messageId, channel.name(), refused);
                    return "SMTP " + smtp.host() + ":" + smtp.port() + ": sent to " + java.util.Arrays.toString(sent)
                            + "; refused " + refused;
                }
                String reply = transport instanceof org.eclipse.angus.mail.smtp.SMTPTransport t ? t.getLastServerResponse() : "sent";
                return "SMTP " + smtp.host() + ":" + smtp.port() + ": " + (reply == null ? "sent" : reply.strip());
            }
        } catch (MessagingException e) {
            throw new DeliveryException("SMTP " + smtp.host() + ":" + smtp.port() + ": " + describe(e), e);
        }
    }

    private static String describe(MessagingException e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()).strip());
        Throwable cause = e.getCause() != null ? e.getCause() : e.getNextException();
        if (cause != null && cause != e && cause.getMessage() != null && !sb.toString().contains(cause.getMessage())) {
            sb.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage()).append(')');
        }
        return sb.toString();
    }

    private MimeMessage compose(AlertTemplates.Rendered r, String messageId, String header, String headerValue,
            java.util.Optional<Attachment> attachment) throws MessagingException {
        MimeMessage m = new FixedIdMessage(session, messageId);
        m.setFrom(new InternetAddress(smtp.from(), true));
        InternetAddress[] to = new InternetAddress[channel.to().size()];
        for (int i = 0; i < to.length; i++) {
            to[i] = new InternetAddress(channel.to().get(i), true);
        }
        m.setRecipients(Message.RecipientType.TO, to);
        m.setSubject(r.subject(), "UTF-8");
        m.setSentDate(new Date());
        m.setHeader(header, headerValue);
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(r.text(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(r.html(), "UTF-8", "html");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        if (attachment.isEmpty()) {
            m.setContent(alternative);
        } else {
            MimeMultipart mixed = new MimeMultipart("mixed");
            MimeBodyPart body = new MimeBodyPart();
            body.setContent(alternative);
            mixed.addBodyPart(body);
            MimeBodyPart proof = new MimeBodyPart();
            proof.setDataHandler(new DataHandler(new ByteArrayDataSource(attachment.get().json(), "application/json")));
            proof.setFileName(attachment.get().fileName());
            proof.setDisposition(MimeBodyPart.ATTACHMENT);
            mixed.addBodyPart(proof);
            m.setContent(mixed);
        }
        m.saveChanges();
        return m;
    }

    /** Keeps the alert's own Message-ID (Jakarta Mail would make a new one at every save). */
    private static final class FixedIdMessage extends MimeMessage {
        private final String id;

        FixedIdMessage(Session session, String id) {
            super(session);
            this.id = id;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", id);
        }
    }
}
