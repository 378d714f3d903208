package org.idcguard.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Every path of the manager API, spelled once, with each name from the user encoded as one path segment or query
 * value (an IDC called "a/b" or "x y" cannot change which resource is addressed).
 */
public final class ApiPaths {
    public static final String HEALTH = "/api/health";
    public static final String MANAGERS = "/api/managers";
    public static final String JOIN_CODES = "/api/join-codes";
    public static final String IDCS = "/api/idcs";
    public static final String COMPUTERS = "/api/computers";
    public static final String CLUSTERS = "/api/clusters";
    public static final String TASKS = "/api/tasks";
    public static final String ALERTS = "/api/alerts";
    public static final String LOGIN = "/api/login";
    public static final String LOGOUT = "/api/logout";
    public static final String WHOAMI = "/api/whoami";
    public static final String OPERATORS = "/api/operators";
    public static final String AUDIT = "/api/audit";
    public static final String APPROVALS = "/api/approvals";
    public static final String ACCESS_SETTINGS = "/api/settings/access";

    /** "approve" or "reject" of one approval. */
    public static String approval(long id, String decision) {
        return APPROVALS + "/" + id + "/" + decision;
    }

    public static String operator(String name) {
        return OPERATORS + "/" + segment(name);
    }
    public static final String DRILLS = "/api/drills";
    public static final String RUNNING_DRILLS = "/api/drills/running";
    public static final String HA_SETTINGS = "/api/settings/ha";
    public static final String DR_SETTINGS = "/api/settings/dr";
    public static final String ALERT_SETTINGS = "/api/settings/alerts";
    public static final String INTENTS = "/api/intents";
    public static final String OPENAPI = "/api/openapi.json";
    public static final String METRICS = "/metrics";

    private ApiPaths() {
    }

    public static String idc(String name) {
        return IDCS + "/" + segment(name);
    }

    public static String idcFaults(String name) {
        return idc(name) + "/faults";
    }

    public static String computer(String address) {
        return COMPUTERS + "/" + segment(address);
    }

    public static String cluster(String name) {
        return CLUSTERS + "/" + segment(name);
    }

    /** A cluster's sub-resource, e.g. {@code cluster("sales", "dr/promote")}; the tail is ours, not the user's. */
    public static String cluster(String name, String tail) {
        return cluster(name) + "/" + tail;
    }

    public static String task(long id) {
        return TASKS + "/" + id;
    }

    public static String drill(long id) {
        return DRILLS + "/" + id;
    }

    public static String alertAck(long id) {
        return ALERTS + "/" + id + "/ack";
    }

    public static String events(long afterId) {
        return "/api/events?after=" + afterId;
    }

    /** The path with one query parameter added (value encoded); a null value adds nothing. */
    public static String query(String path, String name, String value) {
        if (value == null) {
            return path;
        }
        return path + (path.contains("?") ? "&" : "?") + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** One path segment, percent-encoded (a space as %20, not +). */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
