/* people.c — ID-card number checks and masking rules. */
#include "people/people.h"

#include <stdio.h>
#include <string.h>

bool people_date_valid(int year, int month, int day)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (year < 1800 || year > 2100 || month < 1 || month > 12 || day < 1)
		return false;
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return day <= days[month - 1] + (month == 2 && leap);
}

bool people_birth_date_valid(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return people_date_valid(y, m, d);
}

bool people_id_number_valid(const char *id)
{
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char checks[] = "10X98765432";
	if (strlen(id) != 18)
		return false;
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (id[i] < '0' || id[i] > '9')
			return false;
		sum += (id[i] - '0') * weights[i];
	}
	char last = id[17] == 'x' ? 'X' : id[17];
	if (last != checks[sum % 11])
		return false;
	/* Positions 7–14 are the birth date, which must exist. */
	int year = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
	int month = (id[10] - '0') * 10 + (id[11] - '0');
	int day = (id[12] - '0') * 10 + (id[13] - '0');
	return people_date_valid(year, month, day);
}

void people_id_number_mask(const char *id, char out[19])
{
	snprintf(out, 19, "%.4s**********%.4s", id, id + 14);
}

void people_phone_mask(const char *phone, char *out, size_t outlen)
{
	size_t n = strlen(phone);
	if (n < 8) {
		snprintf(out, outlen, "****");
		return;
	}
	snprintf(out, outlen, "%.3s****%s", phone, phone + n - 4);
}

bool people_phone_valid(const char *phone)
{
	size_t n = strlen(phone), digits = 0;
	if (n < 5 || n > 20 || strspn(phone, "0123456789 +-") != n)
		return false;
	for (const char *p = phone; *p; p++)
		digits += *p >= '0' && *p <= '9';
	return digits >= 5;
}
