package dev.caravan.serving;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;

/**
 * The kinds of JSON values one input holds, noted while it is read. JSON numbers carry no dtype and the signature's
 * dtype is known only later, so this is what lets that dtype refuse values it cannot hold (a fraction or NaN for an
 * integer, true for a float, an integer a float would round) instead of silently changing them.
 */
final class JsonValueKinds {

    private static final long FLOAT_EXACT = 1L << 24;
    private static final long DOUBLE_EXACT = 1L << 53;

    private boolean numbers;
    private boolean booleans;
    private String fraction;
    private String nonFinite;
    private String beyondLong;
    private long smallestInteger;
    private long largestInteger;
    private double largestDecimal;

    void integer(long value) {
        numbers = true;
        smallestInteger = Math.min(smallestInteger, value);
        largestInteger = Math.max(largestInteger, value);
    }

    /** An integer literal beyond 64 bits, kept as the double it is closest to. */
    void bigInteger(JsonParser parser, double value) throws IOException {
        numbers = true;
        beyondLong = beyondLong == null ? parser.getText() : beyondLong;
        largestDecimal = Math.max(largestDecimal, Math.abs(value));
    }

    /** A number written with a fraction or exponent, or one of the tokens NaN, Infinity and -Infinity. */
    void decimal(JsonParser parser, double value) throws IOException {
        numbers = true;
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            nonFinite = nonFinite == null ? parser.getText() : nonFinite;
        } else {
            largestDecimal = Math.max(largestDecimal, Math.abs(value));
        }
        fraction = fraction == null ? parser.getText() : fraction;
    }

    void bool() {
        booleans = true;
    }

    /** Refuses the values unless every one of them converts to {@code type} exactly. */
    void check(TensorType type, String alias) {
        String input = "input '" + alias + "' is " + type.dtype().name();
        if (type == TensorType.BOOL) {
            refuseIf(numbers, input + ", which takes true and false, not numbers");
            return;
        }
        refuseIf(booleans, input + ", which takes numbers, not true or false");
        switch (type) {
            case FLOAT -> checkDecimal(input, FLOAT_EXACT, Float.MAX_VALUE);
            case DOUBLE -> checkDecimal(input, DOUBLE_EXACT, Double.MAX_VALUE);
            case INT32 -> checkInteger(input, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case INT64 -> checkInteger(input, Long.MIN_VALUE, Long.MAX_VALUE);
            case UINT8 -> checkInteger(input, 0, 255);
            default -> throw new IllegalStateException("no JSON rule for " + type);
        }
    }

    private void checkDecimal(String input, long exactIntegers, double largest) {
        long integer = -smallestInteger > largestInteger || smallestInteger == Long.MIN_VALUE ? smallestInteger
                : largestInteger;
        refuseIf(integer < -exactIntegers || integer > exactIntegers, input + ", which cannot hold " + integer
                + " without losing precision; whole numbers up to " + exactIntegers + " in magnitude fit");
        refuseIf(largestDecimal > largest, input + ", which cannot hold " + (beyondLong != null ? beyondLong
                : largestDecimal) + "; its largest magnitude is " + largest);
    }

    private void checkInteger(String input, long min, long max) {
        refuseIf(nonFinite != null, input + ", which cannot hold " + nonFinite
                + "; NaN, Infinity and -Infinity are only for DT_FLOAT and DT_DOUBLE inputs");
        refuseIf(fraction != null, input + ", which takes whole numbers written without a fraction or exponent, not "
                + fraction);
        refuseIf(beyondLong != null || smallestInteger < min || largestInteger > max, input + ", which holds "
                + min + ".." + max + ", not " + (beyondLong != null ? beyondLong
                : smallestInteger < min ? smallestInteger : largestInteger));
    }

    private static void refuseIf(boolean refused, String message) {
        if (refused) {
            throw ServingError.invalidArgument(message);
        }
    }
}
