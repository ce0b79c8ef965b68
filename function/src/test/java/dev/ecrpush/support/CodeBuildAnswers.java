package dev.ecrpush.support;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.registry.ImageIndex;

/**
 * CodeBuild's answers about the image bootstrap builds, one per platform, as its JSON protocol sends them: the
 * started build, a build that is still running, and ended ones with their phases and exported variables; and ECR's
 * copy of the kaniko-ecr image each platform's build pushed.
 */
public final class CodeBuildAnswers {
    /** The linux/amd64 build (the project as it is). */
    public static final String BUILD_ID = "ecr-build-push-images:5e1c7a42-0b8d-4f3e-9a61-2c7d8e9f0a1b";
    /** The linux/arm64 build ({@code ARM_CONTAINER}). */
    public static final String ARM_BUILD_ID = "ecr-build-push-images:c3d4e5f6-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    public static final String PROJECT = "ecr-build-push-images";
    public static final String REPOSITORY = "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr";
    /** The tag the custom resource names ({@code KanikoEcrTag}), as template.yaml sets it. */
    public static final String TAG = "1.13.9-kaniko1.28.5";
    /** What {@code docker push} pushes for each platform's kaniko-ecr image: a Docker image manifest. */
    public static final String AMD_MANIFEST = manifest("amd64");
    public static final String ARM_MANIFEST = manifest("arm64");
    /** Each platform's kaniko-ecr image as its build pins it: by the digest of the manifest ECR holds. */
    public static final String KANIKO_ECR = REPOSITORY + "@" + ImageIndex.digestOf(AMD_MANIFEST);
    public static final String KANIKO_ECR_ARM = REPOSITORY + "@" + ImageIndex.digestOf(ARM_MANIFEST);
    public static final String ECR = "docker.io/plugins/ecr:21.1.1@sha256:"
            + "2222222222222222222222222222222222222222222222222222222222222222";
    public static final String BUILDX_ECR = "docker.io/plugins/buildx-ecr:1.4.2@sha256:"
            + "3333333333333333333333333333333333333333333333333333333333333333";
    public static final String SOURCE = "docker.io/alpine/git:2.45.2@sha256:"
            + "4444444444444444444444444444444444444444444444444444444444444444";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CodeBuildAnswers() {
    }

    /** StartBuild's answer: the linux/amd64 build, just submitted. */
    public static String startedBuild() {
        return startedBuild(BUILD_ID);
    }

    /** StartBuild's answer: build {@code id}, just submitted. */
    public static String startedBuild(String id) {
        return JSON.createObjectNode().set("build", build(id, "IN_PROGRESS", "SUBMITTED")).toString();
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
        return build(BUILD_ID, status, currentPhase);
    }

    public static ObjectNode build(String id, String status, String currentPhase) {
        return JSON.createObjectNode().put("id", id).put("arn", "arn:aws:codebuild:us-east-1:111111111111:build/" + id)
                .put("projectName", PROJECT).put("buildStatus", status).put("currentPhase", currentPhase)
                .put("buildComplete", !status.equals("IN_PROGRESS")).put("startTime", 1748779200.0);
    }

    /** An ended, successful build that exported {@code exported}. */
    public static ObjectNode succeeded(ArrayNode exported) {
        return succeeded(BUILD_ID, exported);
    }

    /** Build {@code id}, ended successfully, having exported {@code exported}. */
    public static ObjectNode succeeded(String id, ArrayNode exported) {
        ObjectNode build = build(id, "SUCCEEDED", "COMPLETED");
        build.set("phases", phases("SUCCEEDED"));
        build.set("exportedEnvironmentVariables", exported);
        return build;
    }

    /** An ended build whose BUILD phase failed on a command. */
    public static ObjectNode failedInBuildPhase() {
        return failedInBuildPhase(BUILD_ID);
    }

    public static ObjectNode failedInBuildPhase(String id) {
        ObjectNode build = build(id, "FAILED", "COMPLETED");
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

    /** BatchGetBuilds' answer when both platforms' builds have succeeded, each exporting its own kaniko-ecr image. */
    public static String bothSucceeded() {
        return builds(succeeded(BUILD_ID, exportedPinnedImages()),
                succeeded(ARM_BUILD_ID, exported(KANIKO_ECR_ARM, ECR, BUILDX_ECR, SOURCE)));
    }

    /** ECR's BatchGetImage answer: each platform's kaniko-ecr image, as it was pushed. */
    public static String kanikoImages(String amdManifest, String armManifest) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode images = answer.putArray("images");
        List<String> digests = List.of(ImageIndex.digestOf(AMD_MANIFEST), ImageIndex.digestOf(ARM_MANIFEST));
        List<String> manifests = List.of(amdManifest, armManifest);
        for (int i = 0; i < 2; i++) {
            images.addObject().put("registryId", "111111111111").put("repositoryName", "ecr-build-push/kaniko-ecr")
                    .put("imageManifest", manifests.get(i)).put("imageManifestMediaType", ImageIndex.DOCKER_MANIFEST)
                    .putObject("imageId").put("imageDigest", digests.get(i));
        }
        answer.putArray("failures");
        return answer.toString();
    }

    private static String manifest(String architecture) {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1520,\"digest\":\"sha256:"
                + (architecture.equals("amd64") ? "a" : "b").repeat(64) + "\"},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":2811478,\"digest\":\"sha256:"
                + (architecture.equals("amd64") ? "c" : "d").repeat(64) + "\"}]}";
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
