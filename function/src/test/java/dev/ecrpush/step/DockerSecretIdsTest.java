package dev.ecrpush.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.support.Fixtures;

/** Docker secret ids and the variables {@code DOCKER_SECRET_<ID>} they map to: the rejected payloads are in {@code invalid/}. */
class DockerSecretIdsTest {
    /** The base payload on VM, where docker secrets apply. */
    private static ObjectNode vmPayload() {
        ObjectNode payload = Fixtures.basePayload().put("infra", "VM");
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git");
        return payload;
    }

    @ParameterizedTest
    @CsvSource({"npm, DOCKER_SECRET_NPM", "a-b, DOCKER_SECRET_A_B", "a.b, DOCKER_SECRET_A_B", "a_b, DOCKER_SECRET_A_B",
            "pip.conf, DOCKER_SECRET_PIP_CONF", "Npm-Token, DOCKER_SECRET_NPM_TOKEN", "x1, DOCKER_SECRET_X1"})
    void variable_isUpperCasedWithNonAlphanumericsAsUnderscore(String id, String variable) {
        assertEquals(variable, DockerSecret.variable(id));
    }

    @Test
    void parse_twoIdsOfOneVariable_nameBothFields() {
        // given
        ObjectNode payload = vmPayload();
        ObjectNode spec = (ObjectNode) payload.at("/step/spec");
        spec.putObject("envDockerSecrets").put("a-b", "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/a");
        spec.putObject("fileDockerSecrets").put("a_b", "ssm:/ci/a");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.parse(payload));
        // then
        assertEquals(List.of("step.spec.fileDockerSecrets.a_b: maps to the same variable DOCKER_SECRET_A_B as"
                + " step.spec.envDockerSecrets.a-b"), e.problems());
    }

    @Test
    void parse_sameIdInBothMaps_isRefusedWhateverTheValues() {
        // given: neither is a reference, so neither would arrive in the variable; the rule does not look at values
        ObjectNode payload = vmPayload();
        ObjectNode spec = (ObjectNode) payload.at("/step/spec");
        spec.putObject("envDockerSecrets").put("npm", "NPM_TOKEN");
        spec.putObject("fileDockerSecrets").put("npm", "/home/ci/.npmrc");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.parse(payload));
        // then
        assertEquals(List.of("step.spec.fileDockerSecrets.npm: maps to the same variable DOCKER_SECRET_NPM as"
                + " step.spec.envDockerSecrets.npm"), e.problems());
    }

    @Test
    void parse_dotIds_areRefused_otherDottedIdsAreNot() {
        // given
        ObjectNode payload = vmPayload();
        ObjectNode spec = (ObjectNode) payload.at("/step/spec");
        spec.putObject("fileDockerSecrets").put("..", "ssm:/ci/a").put("...", "ssm:/ci/b").put(".npmrc", "ssm:/ci/c");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.parse(payload));
        // then
        assertEquals(List.of("step.spec.fileDockerSecrets...: a secret id must not be only dots",
                "step.spec.fileDockerSecrets....: a secret id must not be only dots"), e.problems());
    }

    @Test
    void parse_distinctVariables_areAccepted() {
        // given
        ObjectNode payload = vmPayload();
        ObjectNode spec = (ObjectNode) payload.at("/step/spec");
        spec.putObject("envDockerSecrets").put("npm", "NPM_TOKEN").put("a-b", "ssm:/ci/a");
        spec.putObject("fileDockerSecrets").put("pip.conf", "ssm:/ci/pip").put("a-c", "/etc/ssl/certs/ca.pem");
        // when
        StepPayload parsed = Fixtures.parse(payload);
        // then
        assertEquals(2, parsed.step().spec().envDockerSecrets().size());
        assertEquals(2, parsed.step().spec().fileDockerSecrets().size());
    }
}
