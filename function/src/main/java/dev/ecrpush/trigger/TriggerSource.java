package dev.ecrpush.trigger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.config.Refreshing;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.policy.Policy;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.TriggerType;

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
    private final ParseSettings parseSettings;
    private final GitHostRegistry hosts;
    private final Policy policy;
    private final ObjectMapper json;
    private final String parameter;
    private final String file;
    private final Refreshing<TriggerSet> set;

    @Inject
    public TriggerSource(AwsClients clients, Settings settings, GitHostRegistry hosts, ServiceConfig config, ObjectMapper json) {
        this(clients, settings.parseSettings(TriggerType.WEBHOOK), hosts, settings.policy(), json,
                config.triggers().parameter().orElse(null), config.triggers().file().orElse(null), config.triggers().refresh(),
                Clock.systemUTC());
    }

    /**
     * @param parseSettings what the stored payloads are checked against (the connector store, executor defaults)
     * @param hosts         the Git hosts a trigger's {@code provider} may name
     * @param policy        the deployer's policy, which a trigger's may only narrow
     * @param parameter     the SSM parameter; null for none
     * @param file          the file, used when there is no parameter; null for none
     */
    TriggerSource(AwsClients clients, ParseSettings parseSettings, GitHostRegistry hosts, Policy policy, ObjectMapper json,
            String parameter, String file, Duration refresh, Clock clock) {
        this.clients = clients;
        this.parseSettings = parseSettings;
        this.hosts = hosts;
        this.policy = policy;
        this.json = json;
        this.parameter = parameter;
        this.file = file;
        this.set = parameter != null ? new Refreshing<>(this::readParameter, refresh, clock)
                : file != null ? new Refreshing<>(this::readFile, null, clock)
                : new Refreshing<>(() -> TriggerSet.EMPTY, null, clock);
    }

    /** The current trigger set. */
    public TriggerSet current() {
        return set.get();
    }

    private TriggerSet readParameter() {
        String text;
        try {
            text = clients.ssm(clients.functionRegion(), clients.functionCredentials())
                    .getParameter(r -> r.name(parameter).withDecryption(true)).parameter().value();
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "ssm:GetParameter for the trigger set " + parameter, InternalErrorException::new);
        }
        TriggerSet set = parse(text, "SSM parameter " + parameter);
        LOG.infof("trigger set: %d trigger(s) from SSM parameter %s", set.triggers().size(), parameter);
        return set;
    }

    private TriggerSet readFile() {
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new InternalErrorException("buildpush.triggers.file " + file + " cannot be read: " + e.getMessage(), e);
        }
        TriggerSet set = parse(text, "file " + file);
        LOG.infof("trigger set: %d trigger(s) from file %s", set.triggers().size(), file);
        return set;
    }

    private TriggerSet parse(String text, String source) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (IOException e) {
            throw new InternalErrorException("the trigger set in " + source + " is not valid JSON");
        }
        TriggerSetParser.Result result = TriggerSetParser.parse(root, parseSettings, hosts, policy);
        if (result instanceof TriggerSetParser.Result.Invalid invalid) {
            // One line, as every message that is not an InvalidStepException's list (BuildPushException escapes the rest).
            throw new InternalErrorException("the trigger set in " + source + " is not valid: "
                    + String.join("; ", invalid.problems()));
        }
        return ((TriggerSetParser.Result.Valid) result).set();
    }
}
