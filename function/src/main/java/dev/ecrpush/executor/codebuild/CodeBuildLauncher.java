package dev.ecrpush.executor.codebuild;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetProjectsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.Project;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;
import software.amazon.awssdk.services.ssm.SsmClient;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.launch.ConsoleLinks;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.SecretStash;
import dev.ecrpush.plan.Plan;

/**
 * Starts a plan's CodeBuild build in the function's own account (the build account), with the function's own
 * clients. The request is the plan's, unchanged, so what {@code mode: plan} shows is what is sent.
 *
 * <p>A secret the payload carries inline (the OIDC token) is first stored as the SSM SecureString the plan
 * names ({@link SecretStash}), because CodeBuild takes secrets only as references.
 */
public final class CodeBuildLauncher {
    private static final Logger LOG = Logger.getLogger(CodeBuildLauncher.class);

    private final CodeBuildClient codeBuild;
    private final SsmClient ssm;

    /**
     * @param codeBuild the function's own client, in the region of the project
     * @param ssm       the function's own client in the same region: the build reads the stashed parameters
     *                  with its service role, in its own account
     */
    public CodeBuildLauncher(CodeBuildClient codeBuild, SsmClient ssm) {
        this.codeBuild = codeBuild;
        this.ssm = ssm;
    }

    /**
     * Stashes the plan's inline secrets, then starts the build. The request's {@code idempotencyToken} makes a
     * repeated call with the same idempotency key start at most one build.
     *
     * @throws LaunchFailedException                 when CodeBuild or SSM refuses (missing project, bad input,
     *                                               account limits, access denied); no build was started
     * @throws dev.ecrpush.error.ThrottledException  when AWS still throttles or fails after the SDK's retries
     * @throws IllegalArgumentException              when the plan's executor is not CodeBuild
     */
    public LaunchResult launch(Plan plan) {
        if (!(plan.launch() instanceof CodeBuildLaunch launch)) {
            throw new IllegalArgumentException("the plan launches on " + plan.launch().getClass().getSimpleName()
                    + ", not CodeBuild");
        }
        SecretStash.store(plan, ssm);
        StartBuildRequest request = launch.request();
        Build build;
        try {
            build = codeBuild.startBuild(request).build();
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "codebuild.StartBuild", "project " + request.projectName() + " in " + region());
        }
        LaunchResult result = new LaunchResult(build.id(), build.arn(), logsUrl(build));
        LOG.infof("started CodeBuild build %s for %s", result.buildId(), plan.repository());
        return result;
    }

    /**
     * Preflight: the project exists ({@code BatchGetProjects}, read-only).
     *
     * @throws LaunchFailedException when it does not, or may not be read
     */
    public ProjectCheck check(String project) {
        BatchGetProjectsResponse response;
        try {
            response = codeBuild.batchGetProjects(r -> r.names(project));
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "codebuild.BatchGetProjects", "project " + project + " in " + region());
        }
        if (response.projects().isEmpty()) {
            throw new LaunchFailedException("codebuild project " + project + " does not exist in " + region()
                    + "; create it or name another with executor.project");
        }
        Project found = response.projects().get(0);
        return new ProjectCheck(found.name(), found.arn(), found.serviceRole());
    }

    private String logsUrl(Build build) {
        if (build.logs() != null && build.logs().deepLink() != null && !build.logs().deepLink().isBlank()) {
            return build.logs().deepLink();
        }
        String region = ConsoleLinks.regionOf(build.arn());
        return ConsoleLinks.codeBuild(region == null ? region() : region, build.id());
    }

    private String region() {
        return codeBuild.serviceClientConfiguration().region().id();
    }
}
