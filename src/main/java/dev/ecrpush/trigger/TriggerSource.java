package dev.ecrpush.trigger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.error.InternalErrorException;

/**
 * The trigger set, from the SSM parameter {@code buildpush.triggers.parameter} (read on first use, then again
 * once {@code buildpush.triggers.refresh} has passed, so an edit takes effect without a deployment) or the file
 * {@code buildpush.triggers.file} (read once, on first use). With neither, there are no triggers. A set that is
 * not valid fails the trigger-driven run that reads it with an {@link InternalErrorException} listing its
 * problems, since it is the function's configuration that is wrong, not the delivery.
 */
@ApplicationScoped
public class TriggerSource {
    private static final Logger LOG = Logger.getLogger(TriggerSource.class);

    private final AwsClients clients;
    private final Settings settings;
    private final ObjectMapper json;
    private final String parameter;
    private final Duration refresh;
    private final Clock clock = Clock.systemUTC();
    private final TriggerSet fromFile;
    private volatile Loaded loaded;
    private volatile SsmClient ssm;

    private record Loaded(TriggerSet set, Instant at) {
    }

    @Inject
    public TriggerSource(AwsClients clients, Settings settings, ServiceConfig config, ObjectMapper json) {
        this.clients = clients;
        this.settings = settings;
        this.json = json;
        this.parameter = config.triggers().parameter().orElse(null);
        this.refresh = config.triggers().refresh();
        this.fromFile = parameter == null ? config.triggers().file().map(this::readFile).orElse(TriggerSet.EMPTY) : null;
    }

    /** The current trigger set. */
    public TriggerSet current() {
        if (parameter == null) {
            return fromFile;
        }
        Loaded current = loaded;
        if (current == null || current.at().plus(refresh).isBefore(clock.instant())) {
            synchronized (this) {
                if (loaded == current) {
                    loaded = new Loaded(readParameter(), clock.instant());
                }
                current = loaded;
            }
        }
        return current.set();
    }

    private TriggerSet readParameter() {
        String text;
        try {
            text = ssm().getParameter(r -> r.name(parameter).withDecryption(true)).parameter().value();
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "ssm:GetParameter for the trigger set " + parameter, InternalErrorException::new);
        }
        TriggerSet set = parse(text, "SSM parameter " + parameter);
        LOG.infof("trigger set: %d trigger(s) from SSM parameter %s", set.triggers().size(), parameter);
        return set;
    }

    private TriggerSet readFile(String file) {
        try {
            TriggerSet set = parse(Files.readString(Path.of(file)), "file " + file);
            LOG.infof("trigger set: %d trigger(s) from file %s", set.triggers().size(), file);
            return set;
        } catch (IOException e) {
            throw new IllegalStateException("buildpush.triggers.file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private TriggerSet parse(String text, String source) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (IOException e) {
            throw new InternalErrorException("the trigger set in " + source + " is not valid JSON");
        }
        TriggerSetParser.Result result = TriggerSetParser.parse(root, settings.parseSettings("webhook"));
        if (result instanceof TriggerSetParser.Result.Invalid invalid) {
            throw new InternalErrorException("the trigger set in " + source + " is not valid:\n"
                    + String.join("\n", invalid.problems()));
        }
        return ((TriggerSetParser.Result.Valid) result).set();
    }

    private SsmClient ssm() {
        SsmClient current = ssm;
        if (current == null) {
            synchronized (this) {
                if (ssm == null) {
                    ssm = clients.ssm(clients.functionRegion(), clients.functionCredentials());
                }
                current = ssm;
            }
        }
        return current;
    }

    @PreDestroy
    void close() {
        SsmClient current = ssm;
        if (current != null) {
            current.close();
        }
    }
}
