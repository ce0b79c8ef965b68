package dev.ecrpush.credentials;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.AwsCredential;

/**
 * Carries out a {@link CredentialsPlan}: the credentials the function signs its own calls into the target
 * account with (repository preparation). The base identity comes first (keys read from their secrets, the
 * function's role, or a web identity token), then the cross-account {@code AssumeRole} signed by it.
 *
 * <p>Every target's result is kept for the warm invocations that follow, which then make no AWS call:
 * temporary credentials until {@link #EXPIRY_MARGIN} before they expire, keys read from secrets for a set
 * time (so a rotated secret is picked up). AWS's refusals become {@link CredentialsRefusedException} naming
 * the role or the reference; throttling that outlasts the SDK's retries becomes a
 * {@link dev.ecrpush.error.ThrottledException}.
 */
@ApplicationScoped
public class CredentialsResolver {
    /** Cached temporary credentials are not handed out closer to their expiry than this: one invocation's calls fit in it. */
    public static final Duration EXPIRY_MARGIN = Duration.ofMinutes(5);

    private static final Logger LOG = Logger.getLogger(CredentialsResolver.class);

    private final AwsClients clients;
    private final Clock clock;
    private final Duration staticKeysTtl;
    private final SecretReader secrets;
    private final Map<TargetKey, Resolved> cache = new ConcurrentHashMap<>();

    @Inject
    public CredentialsResolver(AwsClients clients, ServiceConfig config) {
        this(clients, Clock.systemUTC(), config.credentials().staticKeysTtl());
    }

    /**
     * @param staticKeysTtl how long keys read from secrets are reused; they carry no expiry of their own
     */
    public CredentialsResolver(AwsClients clients, Clock clock, Duration staticKeysTtl) {
        this.clients = clients;
        this.clock = clock;
        this.staticKeysTtl = staticKeysTtl;
        this.secrets = new SecretReader(clients);
    }

    /**
     * Credentials for calls into the target account in {@code region}. The provider is ready to use: every
     * AWS call it needed has been made, so a refusal surfaces here and not in a later stage.
     *
     * @throws CredentialsRefusedException        when AWS refuses a secret read, a token or a role
     * @throws dev.ecrpush.error.ThrottledException when AWS still throttles or fails after the SDK's retries
     */
    public AwsCredentialsProvider resolve(CredentialsPlan plan, Region region) {
        TargetKey key = TargetKey.of(plan, region);
        Instant now = clock.instant();
        Resolved cached = cache.get(key);
        if (cached != null && cached.usableAt(now)) {
            return cached.provider();
        }
        Resolved base = base(plan.base(), region, now);
        Resolved resolved = plan.assumeRole() == null ? base : assumeRole(plan.assumeRole(), base.provider(), region, now);
        // Web identity tokens differ per execution; dropping what has expired keeps the cache from growing.
        cache.values().removeIf(entry -> !entry.usableAt(now));
        cache.put(key, resolved);
        LOG.infof("credentials for %s resolved, reused until %s", key, resolved.usableUntil());
        return resolved.provider();
    }

    /** Drops a target's cached credentials, e.g. after a later stage saw AWS refuse them. */
    public void forget(CredentialsPlan plan, Region region) {
        cache.remove(TargetKey.of(plan, region));
    }

    private Resolved base(CredentialsPlan.Base base, Region region, Instant now) {
        if (base instanceof CredentialsPlan.Base.StaticKeys keys) {
            return staticKeys(keys, region, now);
        }
        if (base instanceof CredentialsPlan.Base.WebIdentity web) {
            return webIdentity(web, region, now);
        }
        // The SDK's default chain refreshes the function's own credentials by itself.
        return new Resolved(clients.functionCredentials(), Instant.MAX);
    }

    private Resolved staticKeys(CredentialsPlan.Base.StaticKeys keys, Region region, Instant now) {
        String accessKeyId = keys.accessKey() instanceof AwsCredential.Value.Plain plain
                ? plain.text()
                : secrets.read(((AwsCredential.Value.Secret) keys.accessKey()).ref(), region).value();
        String secretKey = secrets.read(keys.secretKey(), region).value();
        AwsCredentials credentials = keys.sessionToken() == null
                ? AwsBasicCredentials.create(accessKeyId, secretKey)
                : AwsSessionCredentials.create(accessKeyId, secretKey, secrets.read(keys.sessionToken(), region).value());
        return new Resolved(StaticCredentialsProvider.create(credentials), now.plus(staticKeysTtl));
    }

    private Resolved webIdentity(CredentialsPlan.Base.WebIdentity web, Region region, Instant now) {
        try {
            // The token is the authentication: the call goes unsigned, and the function's role plays no part.
            Credentials credentials = sts(region).assumeRoleWithWebIdentity(r -> r.roleArn(web.roleArn())
                    .webIdentityToken(web.token().value())
                    .roleSessionName(web.sessionName())
                    .overrideConfiguration(o -> o.credentialsProvider(AnonymousCredentialsProvider.create())))
                    .credentials();
            return temporary(credentials, now);
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "sts:AssumeRoleWithWebIdentity for " + web.roleArn(), CredentialsRefusedException::new);
        }
    }

    private Resolved assumeRole(CredentialsPlan.AssumeRole role, AwsCredentialsProvider base, Region region, Instant now) {
        String externalId = role.externalId() == null || role.externalId().isBlank() ? null : role.externalId();
        try {
            Credentials credentials = sts(region).assumeRole(r -> r.roleArn(role.roleArn())
                    .roleSessionName(role.sessionName())
                    .externalId(externalId)
                    .overrideConfiguration(o -> o.credentialsProvider(base)))
                    .credentials();
            return temporary(credentials, now);
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "sts:AssumeRole for " + role.roleArn(), CredentialsRefusedException::new);
        }
    }

    /** STS in the step's region; each call says which credentials sign it. */
    private StsClient sts(Region region) {
        return clients.sts(region, clients.functionCredentials());
    }

    private static Resolved temporary(Credentials credentials, Instant now) {
        AwsSessionCredentials session = AwsSessionCredentials.builder()
                .accessKeyId(credentials.accessKeyId())
                .secretAccessKey(credentials.secretAccessKey())
                .sessionToken(credentials.sessionToken())
                .expirationTime(credentials.expiration())
                .build();
        Instant usableUntil = credentials.expiration() == null ? now : credentials.expiration().minus(EXPIRY_MARGIN);
        return new Resolved(StaticCredentialsProvider.create(session), usableUntil);
    }

    /** A target's provider and the instant after which it must not be handed out again. */
    private record Resolved(AwsCredentialsProvider provider, Instant usableUntil) {
        boolean usableAt(Instant now) {
            return now.isBefore(usableUntil);
        }
    }
}
