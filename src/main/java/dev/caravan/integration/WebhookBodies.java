package dev.caravan.integration;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Webhook routes ({@code /hooks/*}) take JSON bodies whatever Content-Type the caller sent: {@code curl -d} sends
 * its data as a form, and the HTTP component would otherwise try to read {@code {"trainSteps": 2000}} as form fields
 * and fail before the route could answer.
 */
@Component
class WebhookBodies extends OncePerRequestFilter {

    static final String HOOKS = "/hooks/";

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        return !request.getRequestURI().startsWith(HOOKS)
                || type != null && MediaType.parseMediaType(type).isCompatibleWith(MediaType.APPLICATION_JSON);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public String getContentType() {
                return MediaType.APPLICATION_JSON_VALUE;
            }

            @Override
            public String getHeader(String name) {
                return "Content-Type".equalsIgnoreCase(name) ? getContentType() : super.getHeader(name);
            }
        }, response);
    }
}
