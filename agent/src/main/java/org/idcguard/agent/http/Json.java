package org.idcguard.agent.http;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The agent's JSON: the same configuration as the API client's, on the server side of the API. */
public final class Json {
    public static final ObjectMapper MAPPER = org.idcguard.client.ApiJson.MAPPER;

    private Json() {
    }
}
