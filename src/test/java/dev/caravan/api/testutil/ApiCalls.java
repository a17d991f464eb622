package dev.caravan.api.testutil;

import org.springframework.test.web.servlet.request.RequestPostProcessor;

/** Requests as the API's clients send them: with Caravan's bearer token, with a wrong one, or from another machine. */
public final class ApiCalls {

    /** The token the API tests configure as {@code caravan.api.token}. */
    public static final String TOKEN = "test-token-0123456789";

    private ApiCalls() {
    }

    /** The header the CLI sends with the right token. */
    public static RequestPostProcessor withToken() {
        return withToken(TOKEN);
    }

    public static RequestPostProcessor withToken(String token) {
        return request -> {
            request.addHeader("Authorization", "Bearer " + token);
            return request;
        };
    }

    /** A request from an address that is not this machine's loopback. */
    public static RequestPostProcessor fromAnotherMachine() {
        return request -> {
            request.setRemoteAddr("192.0.2.7");
            return request;
        };
    }
}
