package dev.ecrpush.support;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * CodeBuild's answers about the image bootstrap build, as its JSON protocol sends them: the started build, a build
 * that is still running, and ended ones with their phases and exported variables.
 */
public final class CodeBuildAnswers {
    public static final String BUILD_ID = "ecr-build-push-images:5e1c7a42-0b8d-4f3e-9a61-2c7d8e9f0a1b";
    public static final String PROJECT = "ecr-build-push-images";
    public static final String KANIKO_ECR = "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr@sha256:"
            + "1111111111111111111111111111111111111111111111111111111111111111";
    public static final String ECR = "docker.io/plugins/ecr:21.1.1@sha256:"
            + "2222222222222222222222222222222222222222222222222222222222222222";
    public static final String BUILDX_ECR = "docker.io/plugins/buildx-ecr:1.4.2@sha256:"
            + "3333333333333333333333333333333333333333333333333333333333333333";
    public static final String SOURCE = "docker.io/alpine/git:2.45.2@sha256:"
            + "4444444444444444444444444444444444444444444444444444444444444444";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CodeBuildAnswers() {
    }

    /** StartBuild's answer: the build, just submitted. */
    public static String startedBuild() {
        return JSON.createObjectNode().set("build", build("IN_PROGRESS", "SUBMITTED")).toString();
    }

    /** BatchGetBuilds' answer. */
    public static String builds(ObjectNode... builds) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("builds");
        for (ObjectNode build : builds) {
            list.add(build);
        }
        answer.putArray("buildsNotFound");
        return answer.toString();
    }

    public static ObjectNode build(String status, String currentPhase) {
        return JSON.createObjectNode().put("id", BUILD_ID).put("arn", "arn:aws:codebuild:us-east-1:111111111111:build/" + BUILD_ID)
                .put("projectName", PROJECT).put("buildStatus", status).put("currentPhase", currentPhase)
                .put("buildComplete", !status.equals("IN_PROGRESS")).put("startTime", 1748779200.0);
    }

    /** An ended, successful build that exported {@code exported}. */
    public static ObjectNode succeeded(ArrayNode exported) {
        ObjectNode build = build("SUCCEEDED", "COMPLETED");
        build.set("phases", phases("SUCCEEDED"));
        build.set("exportedEnvironmentVariables", exported);
        return build;
    }

    /** An ended build whose BUILD phase failed on a command. */
    public static ObjectNode failedInBuildPhase() {
        ObjectNode build = build("FAILED", "COMPLETED");
        build.set("phases", phases("FAILED"));
        return build;
    }

    /** The four pinned images as the bootstrap build exports them. */
    public static ArrayNode exported(String kanikoEcr, String ecr, String buildxEcr, String source) {
        ArrayNode variables = JSON.createArrayNode();
        variables.addObject().put("name", "KANIKO_ECR_IMAGE").put("value", kanikoEcr);
        variables.addObject().put("name", "ECR_IMAGE").put("value", ecr);
        variables.addObject().put("name", "BUILDX_ECR_IMAGE").put("value", buildxEcr);
        variables.addObject().put("name", "SOURCE_IMAGE").put("value", source);
        return variables;
    }

    public static ArrayNode exportedPinnedImages() {
        return exported(KANIKO_ECR, ECR, BUILDX_ECR, SOURCE);
    }

    /** The phases of an ended build whose BUILD phase ended with {@code buildPhaseStatus}. */
    private static ArrayNode phases(String buildPhaseStatus) {
        ArrayNode phases = JSON.createArrayNode();
        for (String type : List.of("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD")) {
            phases.addObject().put("phaseType", type).put("phaseStatus", "SUCCEEDED");
        }
        ObjectNode build = phases.addObject().put("phaseType", "BUILD").put("phaseStatus", buildPhaseStatus);
        ArrayNode contexts = build.putArray("contexts");
        if (buildPhaseStatus.equals("FAILED")) {
            contexts.addObject().put("statusCode", "COMMAND_EXECUTION_ERROR")
                    .put("message", "Error while executing command: set -eu -o pipefail... Reason: exit status 1");
        } else {
            contexts.addObject().put("statusCode", "").put("message", "");
        }
        for (String type : List.of("POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING")) {
            phases.addObject().put("phaseType", type).put("phaseStatus", "SUCCEEDED");
        }
        phases.addObject().put("phaseType", "COMPLETED");
        return phases;
    }
}
