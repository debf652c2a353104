package io.quorumkv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SystemPropertiesTest {
  private static final String NAME = "quorumkv.gateway.test-knob";

  @AfterEach
  void clear() {
    System.clearProperty(NAME);
  }

  @Test
  void unsetOrNotANumberGivesTheDefault() {
    assertEquals(7, SystemProperties.positiveInt(NAME, 7));
    System.setProperty(NAME, "lots");
    assertEquals(7, SystemProperties.positiveInt(NAME, 7));
  }

  @Test
  void aPositiveValueIsTaken() {
    System.setProperty(NAME, "3");
    assertEquals(3, SystemProperties.positiveInt(NAME, 7));
  }

  @Test
  void zeroOrLessIsRefusedByName() {
    for (String bad : new String[] {"0", "-4"}) {
      System.setProperty(NAME, bad);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SystemProperties.positiveInt(NAME, 7));
      assertTrue(e.getMessage().contains(NAME) && e.getMessage().contains(bad), e.getMessage());
    }
  }
}
