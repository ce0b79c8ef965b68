package dev.ecrpush.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import dev.ecrpush.registry.RepositoryDefaults;

/**
 * The function's configuration ({@code buildpush.*}; on Lambda set as environment variables such as
 * {@code BUILDPUSH_CODEBUILD_PROJECT}). Every key is listed in the configuration table of docs/configuration.md.
 */
@ConfigMapping(prefix = "buildpush")
public interface ServiceConfig {
    Plugins plugins();

    CodeBuild codebuild();

    Ecs ecs();

    Oidc oidc();

    Repository repository();

    Credentials credentials();

    Idempotency idempotency();

    Webhooks webhooks();

    Triggers triggers();

    Policy policy();

    GitHosts githosts();

    /** A JSON file holding a map of connectors, for {@code connectorRef}s the payload does not define. */
    Optional<String> connectorsFile();

    /** The warm-up of the run path before the SnapStart snapshot ({@link dev.ecrpush.flow.SnapStartPriming}). */
    Priming priming();

    /**
     * The images builds run in: {@code name:tag}, or pinned {@code name:tag@sha256:...} (the stack pins every one
     * at deploy time). Unset, each is {@link dev.ecrpush.plan.BuildImage#defaultReference()}.
     */
    interface Plugins {
        /**
         * The kaniko plugin with a shell (infra K8), as the stack builds it from {@code infra/images/kaniko-ecr};
         * run and preflight refuse the unbuilt default.
         */
        Optional<String> kanikoEcrImage();

        /**
         * The platforms {@link #kanikoEcrImage()} exists for, comma-separated ({@code linux/amd64,linux/arm64}): a
         * step's {@code platforms} outside them is refused. Defaults to {@code linux/amd64,linux/arm64}, what the
         * stack's image bootstrap builds (one build on each, and the index over them); a deployer who points
         * {@link #kanikoEcrImage()} at an image of their own names its platforms here.
         */
        Optional<String> kanikoEcrPlatforms();

        /** Defaults to {@code plugins/ecr:21.1.1}. */
        Optional<String> ecrImage();

        /** Defaults to {@code plugins/buildx-ecr:1.4.2}. */
        Optional<String> buildxEcrImage();

        /** The BuildKit image buildx runs when {@code caching} is on. Defaults to {@code harness/buildkit:1.0.1}. */
        Optional<String> buildkitImage();

        /** Put in front of every image above named without its registry, e.g. an ECR pull-through cache for Docker Hub. */
        Optional<String> registryPrefix();
    }

    interface CodeBuild {
        /**
         * The unprivileged project kaniko builds (infra K8) start on; a payload may name only its infra's project.
         * Defaults to {@code ecr-build-push}.
         */
        @WithDefault("ecr-build-push")
        String project();

        /**
         * The privileged project the ecr and buildx plugins (infra VM and DLITE_VM: docker-in-docker) start on, so
         * that {@link #project()} stays unprivileged for kaniko; the only project {@code privilegedModeOverride} is
         * sent to. Defaults to {@link #project()}, which is then the privileged one.
         */
        Optional<String> dockerProject();

        /** The region of the project (the build account's); defaults to the function's own region. */
        Optional<String> region();

        /**
         * CodeBuild source types for self-managed Git hosts: comma-separated {@code host=SOURCE_TYPE} entries, e.g.
         * {@code gitlab.example.com=GITLAB_SELF_MANAGED,git.acme.io=GITHUB_ENTERPRISE}. One string rather than a
         * map, so that Lambda can set it as one environment variable ({@code BUILDPUSH_CODEBUILD_GIT_HOSTS}); a
         * map's quoted host keys cannot be. Checked at start-up by
         * {@code dev.ecrpush.executor.codebuild.CodeBuildSettings#gitHosts(String)}.
         */
        Optional<String> gitHosts();

        /**
         * The build account, the function's own: the only account whose reserved-capacity fleets a payload's {@code
         * executor.fleet} may name. The template passes {@code AWS::AccountId}. Unset: the account of {@link
         * #project()} when it is an ARN; else no fleet is allowed.
         */
        Optional<String> account();

        /**
         * The reserved-capacity fleets a payload may name (comma-separated fleet ARNs, each of {@link #account()} in
         * {@link #region()}, checked at start-up). Unset or empty: any fleet of the build account in the region.
         */
        Optional<String> fleets();
    }

    interface Ecs {
        /** The default cluster for the ECS executor. */
        Optional<String> cluster();

        /** The default subnets for the ECS executor. */
        Optional<List<String>> subnets();

        /** The default security groups for the ECS executor. */
        Optional<List<String>> securityGroups();

        /** Defaults to {@code false}. */
        @WithDefault("false")
        boolean assignPublicIp();

        /**
         * The prefix of the task definition families the function registers ({@code <prefix>-<content hash>}).
         * Defaults to {@code ecr-build-push}.
         */
        @WithDefault("ecr-build-push")
        String taskFamily();

        /** The region the tasks run in (the build account's); defaults to the function's own region. */
        Optional<String> region();

        /** The task execution role: pulls the images, reads the build's secrets, writes its logs. Required to run. */
        Optional<String> executionRoleArn();

        /** The task role the build runs as (an Inherit or IRSA connector pushes with it); none when unset. */
        Optional<String> taskRoleArn();

        /** The CloudWatch Logs group the task's containers log to (it must exist). Defaults to {@code /ecr-build-push/ecs}. */
        @WithDefault("/ecr-build-push/ecs")
        String logGroup();

        /** The image that fetches the source: it needs {@code sh} and {@code git}. Defaults to {@code alpine/git:2.45.2}. */
        Optional<String> sourceImage();

        /** A Git token for private repositories, as a Secrets Manager ARN or {@code ssm:/path}; none when unset. */
        Optional<String> gitTokenRef();

        /**
         * The one Git host the token is offered to ({@code git.example.com}, or {@code host:port}), over https only; a
         * clone of any other host runs without it. Required with {@link #gitTokenRef()}: a token is never offered to
         * whatever host a payload names.
         */
        Optional<String> gitTokenHost();

        /** The user name sent with the Git token. Defaults to {@code x-access-token}. */
        @WithDefault("x-access-token")
        String gitUsername();

        /** How long a task may run when the step sets no {@code timeout}; then it is stopped. Defaults to {@code 1h}. */
        @WithDefault("1h")
        Duration defaultTimeout();
    }

    interface Oidc {
        /** Where an OIDC token is stored (SSM SecureString) for the build to read. Defaults to {@code /ecr-build-push/oidc-tokens/}. */
        @WithDefault("/ecr-build-push/oidc-tokens/")
        String parameterPrefix();

        /**
         * How old a stashed token may get before any build end sweeps it away, for stashes whose own build's end
         * was never seen (a lost event, a launch that failed after the token was stored): longer than a build
         * may wait and run before it reads it (CodeBuild: 8 h queued, 36 h running). Defaults to {@code 48h}.
         */
        @WithDefault("48h")
        Duration stashMaxAge();
    }

    /** Defaults for the ECR repositories the function creates; an existing repository is left as it is. */
    interface Repository {
        /** Defaults to {@code true}. */
        @WithDefault("true")
        boolean scanOnPush();

        /** {@code MUTABLE} or {@code IMMUTABLE}. Defaults to {@code MUTABLE}; anything else stops the function starting. */
        @WithDefault("MUTABLE")
        RepositoryDefaults.TagMutability tagMutability();

        /** A KMS key ARN to encrypt new repositories with; AES256 when unset. */
        Optional<String> kmsKey();

        /** Untagged images expire after this many days. Defaults to {@code 14}. */
        @WithDefault("14")
        int untaggedExpiryDays();

        /** A cache repository keeps this many newest images. Defaults to {@code 100}. */
        @WithDefault("100")
        int cacheImagesKept();

        /**
         * The exact ARNs of the roles builds run as (the stack's CodeBuild project roles and ECS task role),
         * separated by commas: new repositories in another account let exactly these push and pull. An account ID
         * or an account's root is refused at start-up ({@link RepositoryDefaults}); unset means
         * no repository policy.
         */
        Optional<List<String>> buildPrincipal();

        /**
         * The ARN of the AWS Signer signing profile ({@code arn:PARTITION:signer:REGION:ACCOUNT:/signing-profiles/NAME})
         * ECR managed signing signs the images of the function's repositories with: the function adds a signing rule for
         * each repository to the target registry's signing configuration, keeping every other rule (docs/signing.md).
         * Unset means no signing call at all. A value that is not such an ARN stops the function starting.
         */
        Optional<String> signing();
    }

    interface Credentials {
        /**
         * How long access keys read from their secrets (ManualConfig) are reused by warm invocations before
         * they are read again, so that a rotated secret is picked up. Defaults to {@code 15m}.
         */
        @WithDefault("15m")
        Duration staticKeysTtl();
    }

    /**
     * Runs remembered by idempotency key in DynamoDB, beyond CodeBuild's own 5-minute idempotency token, and the
     * Step Functions task tokens to complete when a build ends.
     */
    interface Idempotency {
        /**
         * The table (partition key {@code idempotencyKey}, TTL attribute {@code expiresAt}); unset means no store:
         * repeats are caught by CodeBuild's token for 5 minutes only, and a {@code taskToken} is refused.
         */
        Optional<String> table();

        /** How long a run's result is kept for repeats of its key. Defaults to {@code 7d}. */
        @WithDefault("7d")
        Duration ttl();

        /**
         * How long a key stays claimed by a run that never finished (the function died mid-run) before another
         * attempt may take it over; longer than the function's timeout. Defaults to {@code 2m}.
         */
        @WithDefault("2m")
        Duration inProgressExpiry();
    }

    /**
     * Git push webhooks; secrets come from here or Secrets Manager, never from a request. Each Git host's own
     * secret keys ({@code buildpush.webhooks.github-secret}, ...) are not mapped here: the host declares them
     * ({@link dev.ecrpush.githost.GitHost#secretFields()}), and {@link dev.ecrpush.githost.WebhookSecretSource}
     * reads them.
     */
    interface Webhooks {
        /**
         * A Secrets Manager secret (name or ARN) holding one JSON object with each Git host's secret fields
         * ({@code {"github": ..., "gitlab": ..., ...}}), read on the first delivery and kept for {@code secret-ttl};
         * takes precedence over the hosts' configuration keys.
         */
        Optional<String> secretId();

        /** How far a signed {@code webhook-timestamp} may be from the function's clock. Defaults to {@code 5m}. */
        @WithDefault("5m")
        Duration timestampTolerance();

        /** How long warm invocations reuse the secret read from {@code secret-id}. Defaults to {@code 15m}. */
        @WithDefault("15m")
        Duration secretTtl();

        /**
         * How long a failed read of the secret from {@code secret-id} is answered again without reading, so that
         * deliveries (anyone can send them) cost at most one Secrets Manager call per period while it fails.
         * Defaults to {@code 30s}.
         */
        @WithDefault("30s")
        Duration secretFailureTtl();

        /**
         * The most builds one delivery starts; the triggers matched beyond it are answered {@code SKIPPED}, in
         * the order the push lists its refs and the trigger set its triggers. At least 1; defaults to {@code 10}.
         */
        @WithDefault("10")
        @WithConverter(AtLeastOne.class)
        int maxBuildsPerDelivery();

        /**
         * Who may approve the build of any trigger's pull request from a fork with a {@code /build} comment, by the
         * login or username the Git host reports (compared without case), besides the users the host says own, are
         * members of or collaborate on the repository (GitHub only) and each trigger's own
         * {@code pullRequests.approvers}. Unset: no one else (docs/triggers.md, "Pull requests from forks").
         */
        Optional<List<String>> approvers();
    }

    /**
     * Which pushes and schedules build what (format: docs/triggers.md, example:
     * {@code infra/triggers.example.json}).
     */
    interface Triggers {
        /** An SSM parameter holding the trigger set, read on first use and kept for {@code refresh}. */
        Optional<String> parameter();

        /** A file holding the trigger set, read at start-up; used when no parameter is set. */
        Optional<String> file();

        /** How long warm invocations reuse the trigger set read from the parameter. Defaults to {@code 5m}. */
        @WithDefault("5m")
        Duration refresh();
    }

    /**
     * What a payload may ask for: which accounts, roles, secrets, registries and Git hosts. Checked on every payload
     * before any AWS call ({@link dev.ecrpush.policy.PolicyCheck}); read and checked at start-up by
     * {@link dev.ecrpush.policy.Policy#from(ServiceConfig)}. Lists are comma-separated; {@code *} alone allows anything
     * and must be written to; {@code none} alone allows nothing (an empty value is the same as an unset one, so it
     * means the default).
     */
    interface Policy {
        /**
         * The accounts a step may push to and whose roles a connector may name (12-digit IDs, or {@code *}). Unset:
         * the function's own account, which the template always passes; a function that is not told it (a local run)
         * knows no account, so run and preflight are refused and plan mode warns.
         */
        Optional<List<String>> targetAccounts();

        /**
         * Patterns of the role ARNs a connector may assume (cross-account role, OIDC role). Defaults to the target
         * accounts' role the stack's instructions create, {@code arn:aws*:iam::*:role/ecr-build-push-target}.
         */
        @WithDefault("arn:aws*:iam::*:role/ecr-build-push-target")
        List<String> roleArns();

        /**
         * Patterns of the secret references a payload may name (Secrets Manager names or ARNs, {@code ssm:/path}).
         * Defaults to {@code ci/*,ssm:/ci/*}. The stack's own secrets and parameters are refused whatever this says.
         */
        @WithDefault("ci/*,ssm:/ci/*")
        List<String> secretRefs();

        /** The registry hosts a Docker registry connector may name. Defaults to Docker Hub's. */
        @WithDefault("docker.io,index.docker.io,registry-1.docker.io")
        List<String> registries();

        /** The Git hosts {@code codebase.repoUrl} may name ({@code http://HOST} allows plain http to it). */
        @WithDefault("github.com,gitlab.com,bitbucket.org")
        List<String> repoHosts();

        /**
         * External IDs by target account, {@code ACCOUNT=EXTERNAL_ID,...}: the one a cross-account role of that account is
         * assumed with, a payload's own being refused unless equal. Never logged. None when unset.
         */
        Optional<String> externalIds();

        /**
         * The stack's resource prefix: secrets named {@code PREFIX/...} and parameters {@code /PREFIX/...} are the stack's
         * own, which no payload may name. Defaults to {@code ecr-build-push}.
         */
        @WithDefault("ecr-build-push")
        String resourcePrefix();
    }

    /**
     * The Git hosts' REST APIs, which commit statuses are sent to and changed files asked of
     * ({@link dev.ecrpush.githost.GitHostApis}); one group per host, named as its route.
     */
    interface GitHosts {
        GitHostApi github();

        GitHostApi gitlab();

        GitHostApi bitbucket();

        GitHostApi gitea();
    }

    /** One Git host's API: where it is, and the token the function calls it with. */
    interface GitHostApi {
        /**
         * The API's base URL, over https (plain http only to a loopback address, for tests and local runs). Defaults to
         * the host's public API ({@code https://api.github.com}, {@code https://gitlab.com/api/v4},
         * {@code https://api.bitbucket.org/2.0}); Gitea has none, so it must be set for Gitea's statuses.
         */
        Optional<String> apiUrl();

        /**
         * A Secrets Manager secret (name or ARN) whose value is the token, read with the function's role and kept like
         * the webhook secret; unset means no statuses and no comparisons for this host. Never a payload's: no payload
         * may name it.
         */
        Optional<String> tokenRef();
    }

    /** SnapStart priming. */
    interface Priming {
        /**
         * Also prime during init, as the application starts, not only before a SnapStart snapshot: for the benchmark
         * and for functions without SnapStart that would rather pay in init than in their first request. Defaults to
         * {@code false}.
         */
        @WithDefault("false")
        boolean atInit();
    }
}
