FROM ${A:-${B:-${C:-${D:-${E:-${F:-${G:-${H:-${I:-${J:-alpine}}}}}}}}}}
ENV X=${ Y=$ Z=${unterminated
USER ${NOPE}
