package org.idcguard.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every refused API call.
 *
 * @param error one clear sentence
 * @param field the request field the sentence is about, or null; the console shows the sentence next to it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String field) {
}
