package dev.ecrpush.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.executor.codebuild.CodeBuildLaunch;

/** {@code codebase.branch} and {@code codebase.tag} as git ref names: the rejected ones are in {@code invalid/}. */
class CodebaseRefNamesTest {
    private static ObjectNode payload(String field, String name) {
        ObjectNode payload = Fixtures.basePayload();
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put(field, name);
        return payload;
    }

    @ParameterizedTest
    @ValueSource(strings = {"feature/x", "v1.2.3", "release-2026.11"})
    void plan_validBranchName_isTheSourceVersion(String name) {
        // given
        ObjectNode payload = payload("branch", name);
        // when
        Plan plan = Fixtures.plan(payload);
        // then
        assertEquals(name, ((CodeBuildLaunch) plan.launch()).request().sourceVersion());
    }

    @ParameterizedTest
    @ValueSource(strings = {"feature/x", "v1.2.3", "release-2026.11"})
    void plan_validTagName_isTheSourceVersion(String name) {
        // given
        ObjectNode payload = payload("tag", name);
        // when
        Plan plan = Fixtures.plan(payload);
        // then
        assertEquals(name, ((CodeBuildLaunch) plan.launch()).request().sourceVersion());
    }

    @Test
    void parse_branchWithControlCharacters_namesTheFieldAndEscapesThem() {
        // given: a bell and a terminal escape sequence
        ObjectNode payload = payload("branch", "main\u0007\u001b[2J");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.parse(payload));
        // then
        assertEquals("codebase.branch: \"main\\u0007\\u001b[2J\" is not a valid git branch name"
                + " (it contains a control character)", e.getMessage());
        assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl), "a control character was echoed raw");
    }

    @Test
    void parse_tagWithLeadingDash_namesTheFieldAndTheRule() {
        // given
        ObjectNode payload = payload("tag", "--upload-pack=touch");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.parse(payload));
        // then
        assertEquals("codebase.tag: \"--upload-pack=touch\" is not a valid git tag name (it starts with -)", e.getMessage());
    }

    @Test
    void parse_veryLongBranch_isQuotedCutShort() {
        // given
        ObjectNode payload = payload("branch", "b".repeat(300));
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.parse(payload));
        // then
        assertEquals("codebase.branch: \"" + "b".repeat(64) + "...(300 characters)\" is not a valid git branch name"
                + " (it is longer than 255 characters)", e.getMessage());
    }
}
