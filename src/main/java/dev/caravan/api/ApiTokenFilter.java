package dev.caravan.api;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Guards the API: a call that changes something needs {@code Authorization: Bearer <token>}; reads, predictions
 * included, are open from this machine (loopback) and need the token from anywhere else.
 */
@Component
class ApiTokenFilter extends OncePerRequestFilter {

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final ApiToken token;
    private final ObjectMapper json;

    ApiTokenFilter(ApiToken token, ObjectMapper json) {
        this.token = token;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean open = (READS.contains(request.getMethod()) || prediction(request)) && loopback(request.getRemoteAddr());
        String header = request.getHeader("Authorization");
        String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
        if (open || token.matches(presented)) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpStatus.UNAUTHORIZED.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, (presented == null
                ? "this call needs the header Authorization: Bearer <token>" : "the token is not valid")
                + "; the token is " + token.whereToFind());
        problem.setTitle("Unauthorized");
        json.writeValue(response.getWriter(), problem);
    }

    /** A prediction changes nothing: like TF Serving's REST port, it needs no token. */
    private static boolean prediction(HttpServletRequest request) {
        return request.getMethod().equals("POST") && request.getRequestURI().startsWith("/api/models/")
                && request.getRequestURI().endsWith(":predict");
    }

    private static boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
