package dev.ecrpush.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.support.Repo;

/** A CloudFormation template in its long (JSON) form, with the look-ups the deployment tests share. */
record CfnTemplate(Path file, JsonNode root) {
    static final Path SAM = Repo.path("template.yaml");
    static final Path TARGET_ROLE = Repo.path("infra/target-account-role.yaml");

    static CfnTemplate load(Path file) {
        return new CfnTemplate(file, CfnYaml.read(file));
    }

    JsonNode resource(String logicalId) {
        JsonNode resource = root.path("Resources").path(logicalId);
        if (resource.isMissingNode()) {
            throw new AssertionError(file + " has no resource " + logicalId);
        }
        return resource;
    }

    JsonNode properties(String logicalId) {
        return resource(logicalId).path("Properties");
    }

    /** The logical IDs of the resources of one type. */
    List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        root.path("Resources").fields().forEachRemaining(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    /**
     * Every statement that applies to a role: its inline policies and the template's managed policies attached to
     * it. An AWS managed policy is not expanded: the test that reads this fails on it, since its actions are not
     * visible here.
     */
    List<JsonNode> statementsOfRole(String roleId) {
        JsonNode role = properties(roleId);
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode policy : role.path("Policies")) {
            statements.addAll(statements(policy.path("PolicyDocument")));
        }
        for (JsonNode managed : role.path("ManagedPolicyArns")) {
            String ref = managed.path("Ref").asText(null);
            if (ref == null) {
                throw new AssertionError(roleId + " attaches " + managed + ", whose actions this test cannot see: "
                        + "write them into the template instead");
            }
            statements.addAll(statements(properties(ref).path("PolicyDocument")));
        }
        return statements;
    }

    /** The actions the Allow statements grant. A conditional ({@code Fn::If}) statement counts with both branches. */
    static Set<String> allowedActions(List<JsonNode> statements) {
        Set<String> actions = new LinkedHashSet<>();
        for (JsonNode statement : statements) {
            if ("Allow".equals(statement.path("Effect").asText())) {
                actions.addAll(actions(statement));
            }
        }
        return actions;
    }

    static List<String> actions(JsonNode statement) {
        JsonNode action = statement.path("Action");
        List<String> actions = new ArrayList<>();
        if (action.isTextual()) {
            actions.add(action.asText());
        } else {
            action.forEach(a -> actions.add(a.asText()));
        }
        return actions;
    }

    /** Every IAM statement anywhere in the template: role policies, trust policies, managed and SAM policies. */
    List<JsonNode> allStatements() {
        List<JsonNode> found = new ArrayList<>();
        collectStatements(root, found);
        return found;
    }

    /**
     * Every IAM statement anywhere in the template, each as {@code {"condition": NAME, "statement": ...}}: the condition of
     * the innermost {@code Fn::If} it is a branch of, empty when it applies unconditionally.
     */
    List<JsonNode> allStatementsWithConditions() {
        List<JsonNode> found = new ArrayList<>();
        collectConditional(root, "", found);
        return found;
    }

    private static void collectConditional(JsonNode node, String condition, List<JsonNode> found) {
        if (node.isObject()) {
            JsonNode conditional = node.path("Fn::If");
            if (conditional.isArray() && conditional.size() == 3) {
                collectConditional(conditional.get(1), conditional.get(0).asText(), found);
                collectConditional(conditional.get(2), conditional.get(0).asText(), found);
                return;
            }
            if (node.has("Effect") && (node.has("Action") || node.has("NotAction"))) {
                com.fasterxml.jackson.databind.node.ObjectNode entry = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                        .objectNode().put("condition", condition);
                entry.set("statement", node);
                found.add(entry);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                collectConditional(it.next().getValue(), condition, found);
            }
        } else if (node.isArray()) {
            node.forEach(child -> collectConditional(child, condition, found));
        }
    }

    private static List<JsonNode> statements(JsonNode document) {
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode statement : document.path("Statement")) {
            statements.addAll(branches(statement));
        }
        return statements;
    }

    /** A statement, or both branches of an {@code Fn::If} that stands for one (minus {@code AWS::NoValue}). */
    private static List<JsonNode> branches(JsonNode statement) {
        JsonNode conditional = statement.path("Fn::If");
        if (!conditional.isArray()) {
            return List.of(statement);
        }
        List<JsonNode> branches = new ArrayList<>();
        for (int i = 1; i < conditional.size(); i++) {
            JsonNode branch = conditional.get(i);
            if (!"AWS::NoValue".equals(branch.path("Ref").asText())) {
                branches.addAll(branches(branch));
            }
        }
        return branches;
    }

    private static void collectStatements(JsonNode node, List<JsonNode> found) {
        if (node.isObject()) {
            if (node.has("Effect") && (node.has("Action") || node.has("NotAction"))) {
                found.add(node);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                collectStatements(it.next().getValue(), found);
            }
        } else if (node.isArray()) {
            node.forEach(child -> collectStatements(child, found));
        }
    }
}
